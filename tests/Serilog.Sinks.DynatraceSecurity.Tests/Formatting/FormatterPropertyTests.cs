using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using CsCheck;
using FluentAssertions;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>
/// Random log events (random names, scalars of every kind including hostile text, nested structures, sequences and
/// dictionaries) through the real formatting path. CI runs a fixed seed; to run many more cases:
/// <c>DT_SINK_PBT_ITER=200000 dotnet test tests/Serilog.Sinks.DynatraceSecurity.Tests --filter FormatterPropertyTests</c>
/// (a random seed each time; a failure prints the seed to replay with <c>DT_SINK_PBT_SEED=...</c>).
/// </summary>
public class FormatterPropertyTests
{
    const string CiSeed = "0000001diAm7";
    const int EventLimit = 4096;
    const string SecretMarker = "S3CR3T-";

    static readonly string[] RedactedNames = { "password", "Token", "API_KEY", "set-cookie", "db.Password" };

    static readonly Gen<string> AnyText = Gen.String;

    static readonly Gen<string> Name = Gen.OneOf(
        Gen.String[0, 12],
        Gen.OneOf(Gen.Const("User"), Gen.Const("actor.ips"), Gen.Const(" "), Gen.Const(""), Gen.Const("a.b.c"), Gen.Const("event.type"),
            Gen.Const("finding.title"), Gen.Const("object.id"), Gen.Const("dt.security.risk.level"), Gen.Const("finding.severity"),
            Gen.Const("dt.ingest.source"), Gen.Const("serilog.dt.ingest.source"), Gen.Const("dt"), Gen.Const("ingest")),
        Gen.OneOf(RedactedNames.Select(Gen.Const).ToArray()));

    static readonly Gen<object?> Scalar = Gen.Frequency(
        (4, AnyText.Select(s => (object?)s)),
        (1, Gen.String[2000, 9000].Select(s => (object?)s)),
        (2, Gen.Int.Select(i => (object?)i)),
        (1, Gen.Long.Select(l => (object?)l)),
        (2, Gen.Double.Select(d => (object?)d)),
        (1, Gen.OneOf(Gen.Const(double.NaN), Gen.Const(double.PositiveInfinity), Gen.Const(double.NegativeInfinity)).Select(d => (object?)d)),
        (1, Gen.Decimal.Select(d => (object?)d)),
        (1, Gen.Bool.Select(b => (object?)b)),
        (1, Gen.Const(0).Select(_ => (object?)null)),
        (1, Gen.DateTime.Select(d => (object?)d)),
        (1, Gen.DateTimeOffset.Select(d => (object?)d)),
        (1, Gen.Guid.Select(g => (object?)g)));

    static readonly Gen<LogEventPropertyValue> Value = Gen.Recursive<LogEventPropertyValue>((depth, value) =>
        depth >= 4
            ? Scalar.Select(s => (LogEventPropertyValue)new ScalarValue(s))
            : Gen.Frequency(
                (6, Scalar.Select(s => (LogEventPropertyValue)new ScalarValue(s))),
                (1, value.Array[0, 6].Select(items => (LogEventPropertyValue)new SequenceValue(items))),
                (1, Gen.Select(Name, value).Array[0, 5].Select(members =>
                    (LogEventPropertyValue)new StructureValue(members.Select(m =>
                        new LogEventProperty(LogEventProperty.IsValidName(m.Item1) ? m.Item1 : "_", m.Item2))))),
                (1, Gen.Select(Scalar, value).Array[0, 5].Select(entries =>
                    (LogEventPropertyValue)new DictionaryValue(entries
                        .GroupBy(e => e.Item1 ?? "null")
                        .Select(g => new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(g.First().Item1), g.First().Item2)))))));

    /// <summary>An event: random properties, secrets under redacted names, and scalars to check for round trips.</summary>
    static readonly Gen<Sample> Samples = Gen.Select(
        Gen.Select(Name, Value).Array[0, 10],
        Scalar.Array[0, 5],
        Gen.Int[0, RedactedNames.Length - 1].Array[0, 3],
        Gen.Int[0, 5],
        (randomProperties, roundTrips, secretNames, level) => new Sample(randomProperties, roundTrips, secretNames, (LogEventLevel)level));

    [Fact]
    public void RandomEventsAlwaysGiveValidBoundedJsonWithUniqueKeysRedactedSecretsAndRoundTrippedScalars()
    {
        var iterations = long.TryParse(Environment.GetEnvironmentVariable("DT_SINK_PBT_ITER"), out var i) ? i : 300;
        var seed = Environment.GetEnvironmentVariable("DT_SINK_PBT_SEED") is { Length: > 0 } s
            ? s
            : Environment.GetEnvironmentVariable("DT_SINK_PBT_ITER") is { Length: > 0 } ? null : CiSeed;

        Samples.Sample(CheckSample, seed: seed, iter: iterations, threads: 1, print: sample => sample.ToString());
    }

    static void CheckSample(Sample sample)
    {
        var settings = SinkSettings.From(TestOptions.Create(o =>
        {
            o.EventBodyLimitBytes = EventLimit;
            o.BatchSizeLimitBytes = 64 * 1024;
            o.RedactedProperties = RedactedNames;
        }));
        using var serializer = new EventSerializer(
            new SecurityEventFormatter(settings, new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType)), settings.EventBodyLimitBytes);

        var logEvent = sample.ToLogEvent();
        using var formatted = new FormattedBatch();
        using var bodyBuffer = new PooledBufferWriter();
        var serialized = serializer.Serialize(logEvent, out _, out var failure);
        {
            failure.Should().BeNull("every LogEvent can be formatted");
            if (serialized.IsEmpty)
                return; // an event is either sent or reported as too large

            formatted.Add(logEvent, serialized);
            var body = formatted.WriteBody(EventSet.Range(0, 1), bodyBuffer).ToArray();
            var text = Encoding.UTF8.GetString(body);
            text.Should().NotContain(SecretMarker, "values under redacted names never leave the process");
            body.Length.Should().BeLessThanOrEqualTo(EventLimit + 2, "an event never exceeds eventBodyLimitBytes");

            using var document = JsonDocument.Parse(body);
            var json = document.RootElement.EnumerateArray().Single();
            Json.AssertUniqueKeys(json, "$");
            AssertRedacted(json);

            var truncated = json.TryGetProperty("serilog.truncated", out _);
            for (var r = 0; r < sample.RoundTrips.Length; r++)
                AssertRoundTrip(json.GetProperty("rt" + r), sample.RoundTrips[r], truncated);
        }
    }

    static void AssertRedacted(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
                AssertRedacted(item);
            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
            return;

        foreach (var property in element.EnumerateObject())
        {
            var lastSegment = property.Name.Substring(property.Name.LastIndexOf('.') + 1);
            if (RedactedNames.Any(n => string.Equals(n, property.Name, StringComparison.OrdinalIgnoreCase) ||
                                       string.Equals(n, lastSegment, StringComparison.OrdinalIgnoreCase)))
                property.Value.GetString().Should().Be(RedactionPolicy.Mask, $"'{property.Name}' is a redacted name");
            else
                AssertRedacted(property.Value);
        }
    }

    static void AssertRoundTrip(JsonElement actual, object? expected, bool truncated)
    {
        switch (expected)
        {
            case null:
                actual.ValueKind.Should().Be(JsonValueKind.Null);
                break;
            case string text when !truncated:
                actual.GetString().Should().Be(ValueWriter.Repair(text));
                break;
            case string:
                actual.ValueKind.Should().Be(JsonValueKind.String);
                break;
            case bool boolean:
                actual.GetBoolean().Should().Be(boolean);
                break;
            case int number:
                actual.GetInt32().Should().Be(number);
                break;
            case long number:
                actual.GetInt64().Should().Be(number);
                break;
            case decimal number:
                actual.GetDecimal().Should().Be(number);
                break;
            case double number when double.IsNaN(number):
                actual.GetString().Should().Be("NaN");
                break;
            case double number when double.IsInfinity(number):
                actual.GetString().Should().Be(number > 0 ? "Infinity" : "-Infinity");
                break;
            case double number:
                actual.GetDouble().Should().Be(number);
                break;
            case DateTime dateTime:
                DateTime.Parse(actual.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
                    .Should().Be(ValueWriter.ToUtc(dateTime));
                break;
            case DateTimeOffset offset:
                DateTimeOffset.Parse(actual.GetString()!, CultureInfo.InvariantCulture).Should().Be(offset);
                break;
            case Guid guid:
                actual.GetGuid().Should().Be(guid);
                break;
        }
    }

    sealed record Sample((string Name, LogEventPropertyValue Value)[] Properties, object?[] RoundTrips, int[] SecretNames, LogEventLevel Level)
    {
        public LogEvent ToLogEvent()
        {
            var properties = new List<LogEventProperty> { new("SecurityEvent", new ScalarValue(true)) };
            var names = new HashSet<string>(StringComparer.Ordinal) { "SecurityEvent" };
            for (var r = 0; r < RoundTrips.Length; r++)
            {
                names.Add("rt" + r);
                properties.Add(new LogEventProperty("rt" + r, new ScalarValue(RoundTrips[r])));
            }

            for (var s = 0; s < SecretNames.Length; s++)
            {
                var name = RedactedNames[SecretNames[s]];
                if (names.Add(name))
                    properties.Add(new LogEventProperty(name, new ScalarValue(SecretMarker + s)));
                // The same secret nested in a structure and a dictionary.
                var nested = "nested" + s;
                if (names.Add(nested))
                    properties.Add(new LogEventProperty(nested, new StructureValue(new[]
                    {
                        new LogEventProperty(name, new ScalarValue(SecretMarker + "n" + s)),
                        new LogEventProperty("map", new DictionaryValue(new[]
                        {
                            new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(name.ToUpperInvariant()), new ScalarValue(SecretMarker + "d" + s)),
                        })),
                    })));
            }

            foreach (var (name, value) in Properties)
            {
                // LogEventProperty refuses names Serilog considers invalid; such names cannot reach a sink anyway.
                if (LogEventProperty.IsValidName(name) && names.Add(name))
                    properties.Add(new LogEventProperty(name, value));
            }

            var template = new MessageTemplateParser().Parse(
                "Message " + string.Join(" ", properties.Select(p => p.Name).Where(n => n.All(c => char.IsLetterOrDigit(c) || c == '_')).Select(n => "{" + n + "}")));
            return new LogEvent(DateTimeOffset.UtcNow, Level, null, template, properties);
        }

        public override string ToString() =>
            $"{Properties.Length} random properties ({string.Join(", ", Properties.Select(p => Escape(p.Name)))}), " +
            $"{RoundTrips.Length} round-trip scalars, {SecretNames.Length} secrets, {Level}";

        static string Escape(string text) => JsonSerializer.Serialize(text);
    }

    sealed class CollectingListener : ILoggingFailureListener
    {
        public List<string> Messages { get; } = new();

        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception) =>
            Messages.Add(message + " " + exception);
    }
}
