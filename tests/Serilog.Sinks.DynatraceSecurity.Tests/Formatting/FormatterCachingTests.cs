using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FluentAssertions;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>
/// The formatter keeps what it learns about keys (encoded form, redaction, dotted member keys) from event to event;
/// these check that what it writes never depends on what it wrote before.
/// </summary>
public class FormatterCachingTests
{
    static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void KeysAreEscapedForTheEncoderOfEachWriter()
    {
        var formatter = Formatter();
        var logEvent = Event(("ünï<code>", new ScalarValue(1)));

        var relaxed = Write(formatter, logEvent, Relaxed);
        var strict = Write(formatter, logEvent, default);
        var relaxedAgain = Write(formatter, logEvent, Relaxed);

        relaxed.Should().Contain("\"ünï<code>\":1");
        strict.Should().Contain("\"\\u00FCn\\u00EF\\u003Ccode\\u003E\":1");
        relaxedAgain.Should().Be(relaxed);
    }

    [Fact]
    public void AFreshFormatterAndAWellUsedOneWriteTheSameBytes()
    {
        // More distinct keys than the formatter keeps, so its key table fills up and starts again on the way.
        var events = Enumerable.Range(0, 6000).Select(i => Event(
            ("User", new StructureValue(new[]
            {
                new LogEventProperty("Name" + i % 5000, new ScalarValue("alice")),
                new LogEventProperty("password", new ScalarValue("secret")),
            })),
            ("Key" + i, new ScalarValue(i)),
            ("Items", new SequenceValue(new[] { new StructureValue(new[] { new LogEventProperty("Id" + i % 7, new ScalarValue(i)) }) })))).ToList();
        var used = Formatter();

        foreach (var logEvent in events)
        {
            var expected = Write(Formatter(), logEvent, Relaxed);
            Write(used, logEvent, Relaxed).Should().Be(expected);
        }

        var last = Json.Parse(Encoding.UTF8.GetBytes(Write(used, events[^1], Relaxed)));
        last.GetProperty("User.password").GetString().Should().Be("[REDACTED]");
        last.GetProperty("User.Name999").GetString().Should().Be("alice");
    }

    [Fact]
    public void AnEventThatFailsHalfWayDoesNotAffectTheNext()
    {
        var formatter = Formatter();
        var nested = new SequenceValue(new[] { new StructureValue(new[] { new LogEventProperty("Id", new ScalarValue(1)) }) });
        var failing = Event(("A", new ScalarValue(1)), ("Items", nested), ("B", new ScalarValue(2)));
        var next = Event(("A", new ScalarValue(2)), ("Items", nested), ("B", new ScalarValue(3)));
        var expected = Write(Formatter(), next, Relaxed);

        // A writer that refuses the nesting throws half-way through the properties, after some keys were taken.
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Relaxed.Encoder, MaxDepth = 2 }))
            FluentActions.Invoking(() => formatter.Write(writer, failing, Guid.Empty)).Should().Throw<InvalidOperationException>();

        Write(formatter, next, Relaxed).Should().Be(expected);
    }

    static SecurityEventFormatter Formatter()
    {
        var settings = SinkSettings.From(TestOptions.Create());
        return new SecurityEventFormatter(settings, new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType));
    }

    static LogEvent Event(params (string Name, LogEventPropertyValue Value)[] properties) => new(
        new DateTimeOffset(2026, 11, 27, 10, 15, 2, 123, TimeSpan.Zero), LogEventLevel.Warning, null,
        new Serilog.Parsing.MessageTemplateParser().Parse("Failed login for {User}"),
        properties.Select(p => new LogEventProperty(p.Name, p.Value)).Prepend(new LogEventProperty("SecurityEvent", new ScalarValue(true))));

    static string Write(SecurityEventFormatter formatter, LogEvent logEvent, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
            formatter.Write(writer, logEvent, Guid.Empty);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
