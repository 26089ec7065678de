using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>Whatever a <see cref="LogEvent"/> can hold, the formatter writes valid JSON for it.</summary>
public class HostileInputTests
{
    static LogEvent EventWith(params LogEventProperty[] properties) =>
        new(DateTimeOffset.UtcNow, LogEventLevel.Warning, null, new MessageTemplateParser().Parse("hostile"),
            properties.Prepend(new LogEventProperty("SecurityEvent", new ScalarValue(true))));

    static LogEventProperty P(string name, object? value) => new(name, new ScalarValue(value));

    public static IEnumerable<object?[]> HostileScalars() => new[]
    {
        new object?[] { "control characters", "\u0000\u0001\u001f\u007f\u0085\u2028\u2029", null },
        new object?[] { "lone high surrogate", "a\uD83D", "a\uFFFD" },
        new object?[] { "lone low surrogate", "\uDE00b", "\uFFFDb" },
        new object?[] { "reversed pair", "\uDE00\uD83D", "\uFFFD\uFFFD" },
        new object?[] { "valid pair", "\uD83D\uDE00", "\uD83D\uDE00" },
        new object?[] { "BOM and non-characters", "\uFEFF\uFFFE\uFFFF", null },
        new object?[] { "HTML", "<script>alert('x')</script>&", "<script>alert('x')</script>&" },
        new object?[] { "quotes and backslashes", "\"\\\"\\\\", "\"\\\"\\\\" },
    };

    [Theory]
    [MemberData(nameof(HostileScalars))]
    public void HostileTextIsWrittenAsValidJson(string _, string value, string? expected)
    {
        var json = Json.Format(EventWith(P("Text", value)));
        json.GetProperty("Text").GetString().Should().Be(expected ?? value);
    }

    [Fact]
    public void HostileKeysAreWrittenAsValidJson()
    {
        var dictionary = new DictionaryValue(new[]
        {
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(""), new ScalarValue("empty")),
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(" "), new ScalarValue("space")),
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue("k\uD800"), new ScalarValue("lone")),
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(null), new ScalarValue("null key")),
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(42), new ScalarValue("int key")),
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(new ThrowingToString()), new ScalarValue("throwing key")),
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(new string('k', 5000)), new ScalarValue("long key")),
        });

        var json = Json.Format(EventWith(new LogEventProperty("Map", dictionary), P("a\u0000b", 1)));

        json.GetProperty("Map.").GetString().Should().Be("empty");
        json.GetProperty("Map. ").GetString().Should().Be("space");
        json.GetProperty("Map.k\uFFFD").GetString().Should().Be("lone");
        json.GetProperty("Map.null").GetString().Should().Be("null key");
        json.GetProperty("Map.42").GetString().Should().Be("int key");
        json.EnumerateObject().Should().Contain(p => p.Name.StartsWith("Map.<InvalidOperationException") && p.Value.GetString() == "throwing key");
        json.EnumerateObject().Single(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "long key")
            .Name.Length.Should().Be(PropertyFlattener.MaximumKeyLength);
        json.GetProperty("a\u0000b").GetInt32().Should().Be(1);
    }

    [Fact]
    public void NumericExtremesKeepTheirValueOrBecomeStrings()
    {
        var json = Json.Format(EventWith(
            P("DecimalMax", decimal.MaxValue),
            P("DecimalMin", decimal.MinValue),
            P("ULongMax", ulong.MaxValue),
            P("BigSmall", new BigInteger(12345)),
            P("BigHuge", BigInteger.Pow(10, 40)),
            P("FloatNaN", float.NaN),
            P("DoubleNegInf", double.NegativeInfinity),
            P("DoubleEpsilon", double.Epsilon)));

        json.GetProperty("DecimalMax").GetDecimal().Should().Be(decimal.MaxValue);
        json.GetProperty("DecimalMin").GetDecimal().Should().Be(decimal.MinValue);
        json.GetProperty("ULongMax").GetUInt64().Should().Be(ulong.MaxValue);
        json.GetProperty("BigSmall").GetInt64().Should().Be(12345);
        json.GetProperty("BigHuge").GetString().Should().Be("1" + new string('0', 40));
        json.GetProperty("FloatNaN").GetString().Should().Be("NaN");
        json.GetProperty("DoubleNegInf").GetString().Should().Be("-Infinity");
        json.GetProperty("DoubleEpsilon").GetDouble().Should().Be(double.Epsilon);
    }

    [Fact]
    public void DatesOfEveryKindAndExtremeBecomeUtcStrings()
    {
        var json = Json.Format(EventWith(
            P("MinLocal", DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Local)),
            P("MaxLocal", DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Local)),
            P("Unspecified", new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Unspecified)),
            P("OffsetMin", DateTimeOffset.MinValue),
            P("OffsetMax", DateTimeOffset.MaxValue)));

        json.GetProperty("Unspecified").GetString().Should().Be("2026-11-27T10:00:00Z");
        json.GetProperty("OffsetMin").GetString().Should().Be("0001-01-01T00:00:00Z");
        json.GetProperty("OffsetMax").GetString().Should().StartWith("9999-12-31T23:59:59.9999999Z");
        json.GetProperty("MinLocal").GetString().Should().EndWith("Z");
        json.GetProperty("MaxLocal").GetString().Should().EndWith("Z");
    }

    [Fact]
    public void ValuesWhoseToStringThrowsOrReturnsNullGetAPlaceholder()
    {
        var json = Json.Format(EventWith(P("Throws", new ThrowingToString()), P("Null", new NullToString())));

        json.GetProperty("Throws").GetString().Should().Be("<InvalidOperationException thrown by ThrowingToString.ToString()>");
        json.GetProperty("Null").GetString().Should().BeEmpty();
    }

    [Fact]
    public void NestingDeeperThanTheBoundIsWrittenAsText()
    {
        LogEventPropertyValue value = new ScalarValue("bottom");
        for (var i = 0; i < 60; i++)
            value = i % 2 == 0 ? new StructureValue(new[] { new LogEventProperty("Level", value) }) : new SequenceValue(new[] { value });

        var json = Json.Format(EventWith(new LogEventProperty("Deep", value)));

        json.GetRawText().Length.Should().BeLessThan(20_000, "the depth is bounded");
        json.EnumerateObject().Should().Contain(p => p.Name.StartsWith("Deep"));
    }

    [Fact]
    public void HugeSequencesAreWrittenWhole()
    {
        var json = Json.Format(EventWith(new LogEventProperty("Many",
            new SequenceValue(Enumerable.Range(0, 100_000).Select(i => new ScalarValue(i))))));

        json.GetProperty("Many").GetArrayLength().Should().Be(100_000);
    }

    [Fact]
    public void ExceptionsWhoseMembersThrowStillGiveTheirType()
    {
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Error, new ThrowingException(), MessageTemplate.Empty,
            new[] { new LogEventProperty("SecurityEvent", new ScalarValue(true)) });

        var json = Json.Format(logEvent);

        json.GetProperty("exception.type").GetString().Should().Be(typeof(ThrowingException).FullName);
        json.GetProperty("exception.message").GetString().Should().Contain("thrown while reading");
        json.GetProperty("exception.stack_trace").GetString().Should().Contain("thrown while reading");
    }

    [Fact]
    public async Task AHostileEventNeverBreaksTheRestOfItsBatch()
    {
        await using var harness = await SinkHarness.StartAsync(o => o.BufferingTimeLimit = TimeSpan.FromMinutes(5));
        var security = harness.Security();

        security.Warning("Event {N}", 0);
        security.ForContext("Lone", "\uD800").ForContext("Nul", "\u0000").Warning("Event {N}", 1);
        harness.Logger.Write(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Warning, new ThrowingException(),
            new MessageTemplateParser().Parse("Event {N}"), new[]
            {
                new LogEventProperty("SecurityEvent", new ScalarValue(true)),
                new LogEventProperty("N", new ScalarValue(2)),
                new LogEventProperty("Throws", new ScalarValue(new ThrowingToString())),
            }));
        security.Warning("Event {N}", 3);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().Equal(0, 1, 2, 3);
        harness.Fallback.Events.Should().BeEmpty();
    }

    sealed class ThrowingToString
    {
        public override string ToString() => throw new InvalidOperationException("boom");
    }

    sealed class NullToString
    {
        public override string? ToString() => null;
    }

    sealed class ThrowingException : Exception
    {
        public override string Message => throw new NotSupportedException();
        public override string? StackTrace => throw new NotSupportedException();
        public override string ToString() => throw new NotSupportedException();
    }
}
