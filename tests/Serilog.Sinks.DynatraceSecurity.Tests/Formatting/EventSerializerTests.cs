using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>The one "make this event fit" step that batched delivery and audit mode share, and its event ids.</summary>
public class EventSerializerTests
{
    const int Limit = 2048;

    static EventSerializer Serializer()
    {
        var settings = SinkSettings.From(TestOptions.Create());
        return new EventSerializer(new SecurityEventFormatter(settings, new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType)), Limit);
    }

    [Fact]
    public void AnEventThatFitsIsWrittenWhole()
    {
        using var serializer = Serializer();
        var logEvent = Capture.Event(log => log.ForSecurityEvent().Warning("Failed login for {UserName}", "alice"));

        var serialized = serializer.Serialize(logEvent, out var untruncatedLength, out var failure).ToArray();

        failure.Should().BeNull();
        var json = Json.Parse(serialized);
        json.GetProperty("event.id").GetString().Should().HaveLength(32);
        json.TryGetProperty("serilog.truncated", out _).Should().BeFalse();
        untruncatedLength.Should().Be(serialized.Length);
    }

    [Fact]
    public void AnEventOverTheLimitIsCutToFitAndKeepsItsId()
    {
        using var serializer = Serializer();
        var logEvent = Capture.Event(log => log.ForSecurityEvent().Warning("Padding {Padding}", new string('x', 5000)));

        var serialized = serializer.Serialize(logEvent, out var untruncatedLength, out var failure).ToArray();

        failure.Should().BeNull();
        serialized.Length.Should().BeLessThanOrEqualTo(Limit);
        untruncatedLength.Should().BeGreaterThan(Limit);
        var json = Json.Parse(serialized);
        json.GetProperty("serilog.truncated").GetBoolean().Should().BeTrue();
        json.GetProperty("Padding").GetString().Should().EndWith("…");
        // The same id as the whole event had: the id is drawn once per event, before any cut.
        json.GetProperty("finding.id").GetString().Should().Be(json.GetProperty("event.id").GetString());
    }

    [Fact]
    public void AnEventThatCannotBeCutToFitIsNotWritten()
    {
        using var serializer = Serializer();
        var logEvent = Capture.Event(log => log.ForSecurityEvent().ForContext("Numbers", Enumerable.Range(0, 2000).ToArray()).Warning("x"));

        var serialized = serializer.Serialize(logEvent, out var untruncatedLength, out var failure);

        serialized.IsEmpty.Should().BeTrue();
        failure.Should().BeNull("it is too large, not unformattable");
        untruncatedLength.Should().BeGreaterThan(Limit);
    }

    [Fact]
    public void EachCallStandsAloneWhateverCameBefore()
    {
        var small = Capture.Event(log => log.ForSecurityEvent().Warning("Failed login for {UserName}", "alice"));
        var large = Capture.Event(log => log.ForSecurityEvent().Warning("Padding {Padding}", new string('x', 5000)));
        using var fresh = Serializer();
        using var used = Serializer();
        used.Serialize(large, out _, out _);

        var expected = WithoutId(fresh.Serialize(small, out _, out _).ToArray());
        var afterLarge = WithoutId(used.Serialize(small, out _, out _).ToArray());

        afterLarge.Should().Be(expected);
    }

    [Fact]
    public void IdsAreDistinctAcrossManySeedsAndSerializers()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent().Warning("x"));
        var ids = new HashSet<string>();
        for (var serializers = 0; serializers < 4; serializers++)
        {
            using var serializer = Serializer();
            for (var i = 0; i < EventSerializer.IdsPerSeed * 3 + 17; i++)
                ids.Add(IdOf(serializer.Serialize(logEvent, out _, out _).ToArray())).Should().BeTrue("every event.id is new");
        }
    }

    [Fact]
    public void IdsAreVersion4GuidsWhosePrefixChangesWithEachSeed()
    {
        using var serializer = Serializer();
        var logEvent = Capture.Event(log => log.ForSecurityEvent().Warning("x"));
        var ids = Enumerable.Range(0, EventSerializer.IdsPerSeed * 2)
            .Select(i => IdOf(serializer.Serialize(logEvent, out _, out _).ToArray())).ToList();

        ids.Should().OnlyContain(id => id.Length == 32 && id[12] == '4' && "89ab".Contains(id[16]));
        var firstSeed = ids.Take(EventSerializer.IdsPerSeed).Select(id => id.Substring(0, 24)).Distinct().ToList();
        var secondSeed = ids.Skip(EventSerializer.IdsPerSeed).Select(id => id.Substring(0, 24)).Distinct().ToList();
        firstSeed.Should().ContainSingle();
        secondSeed.Should().ContainSingle().Which.Should().NotBe(firstSeed[0], "a new random prefix is drawn for each seed");
    }

    static string IdOf(byte[] serialized)
    {
        var reader = new Utf8JsonReader(serialized);
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetProperty("event.id").GetString()!;
    }

    static string WithoutId(byte[] serialized) =>
        System.Text.Encoding.UTF8.GetString(serialized).Replace(IdOf(serialized), "<id>");
}
