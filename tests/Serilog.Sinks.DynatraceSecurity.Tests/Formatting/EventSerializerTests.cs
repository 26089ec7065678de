using System;
using System.Linq;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>The one "make this event fit" step that batched delivery and audit mode share.</summary>
public class EventSerializerTests
{
    const int Limit = 2048;

    static EventSerializer Serializer()
    {
        var settings = SinkSettings.From(TestOptions.Create());
        return new EventSerializer(new SecurityEventFormatter(settings, new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType)), Limit);
    }

    [Fact]
    public void AnEventThatFitsIsWrittenWholeUnderTheIdItReports()
    {
        using var serializer = Serializer();
        var logEvent = Capture.Event(log => log.ForSecurityEvent().Warning("Failed login for {UserName}", "alice"));

        var serialized = serializer.Serialize(logEvent);

        serialized.Outcome.Should().Be(SerializeOutcome.Fits);
        var json = Json.Parse(serialized.Bytes.ToArray());
        json.GetProperty("event.id").GetString().Should().Be(serialized.EventId.ToString("N"));
        json.TryGetProperty("serilog.truncated", out _).Should().BeFalse();
        serialized.UntruncatedLength.Should().Be(serialized.Bytes.Length);
    }

    [Fact]
    public void AnEventOverTheLimitIsCutToFitAndKeepsItsId()
    {
        using var serializer = Serializer();
        var logEvent = Capture.Event(log => log.ForSecurityEvent().Warning("Padding {Padding}", new string('x', 5000)));

        var serialized = serializer.Serialize(logEvent);

        serialized.Outcome.Should().Be(SerializeOutcome.Truncated);
        serialized.Bytes.Length.Should().BeLessThanOrEqualTo(Limit);
        serialized.UntruncatedLength.Should().BeGreaterThan(Limit);
        var json = Json.Parse(serialized.Bytes.ToArray());
        json.GetProperty("serilog.truncated").GetBoolean().Should().BeTrue();
        json.GetProperty("event.id").GetString().Should().Be(serialized.EventId.ToString("N"));
        json.GetProperty("Padding").GetString().Should().EndWith("…");
    }

    [Fact]
    public void AnEventThatCannotBeCutToFitIsNotWritten()
    {
        using var serializer = Serializer();
        var logEvent = Capture.Event(log => log.ForSecurityEvent().ForContext("Numbers", Enumerable.Range(0, 2000).ToArray()).Warning("x"));

        var serialized = serializer.Serialize(logEvent);

        serialized.Outcome.Should().Be(SerializeOutcome.TooLarge);
        serialized.Written.Should().BeFalse();
        serialized.Bytes.IsEmpty.Should().BeTrue();
        serialized.UntruncatedLength.Should().BeGreaterThan(Limit);
    }

    [Fact]
    public void EachCallStandsAloneWhateverCameBefore()
    {
        var small = Capture.Event(log => log.ForSecurityEvent().Warning("Failed login for {UserName}", "alice"));
        var large = Capture.Event(log => log.ForSecurityEvent().Warning("Padding {Padding}", new string('x', 5000)));
        using var fresh = Serializer();
        using var used = Serializer();
        used.Serialize(large);

        var expected = WithoutId(fresh.Serialize(small));
        var afterLarge = used.Serialize(small);

        afterLarge.Outcome.Should().Be(SerializeOutcome.Fits);
        WithoutId(afterLarge).Should().Be(expected);
    }

    [Fact]
    public void EveryCallGivesANewId()
    {
        using var serializer = Serializer();
        var logEvent = Capture.Event(log => log.ForSecurityEvent().Warning("x"));

        Enumerable.Range(0, 100).Select(_ => serializer.Serialize(logEvent).EventId).Should().OnlyHaveUniqueItems();
    }

    static string WithoutId(SerializedEvent serialized) =>
        System.Text.Encoding.UTF8.GetString(serialized.Bytes).Replace(serialized.EventId.ToString("N"), "<id>");
}
