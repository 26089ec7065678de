using System;
using System.Linq;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Events;

/// <summary>The flood-control window on a fake clock: what is admitted, what is counted, when summaries are written.</summary>
public sealed class FloodControlTests : IDisposable
{
    static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
    readonly CapturedLogs _logs = new();
    readonly ILoggerFactory _loggers;
    readonly FloodControl _flood;

    public FloodControlTests()
    {
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        _flood = new FloodControl(new FloodControlOptions { MaxEvents = 2, Window = Window }, _clock, _loggers);
    }

    public void Dispose()
    {
        _flood.Dispose();
        _loggers.Dispose();
    }

    CapturedLogs.Entry[] Summaries => _logs.Entries.Where(e => e.Attributes.ContainsKey("event.count")).ToArray();

    [Fact]
    public void TheFirstMaxEventsAreAdmittedTheRestCountedAndOneSummaryIsWrittenWhenTheWindowEnds()
    {
        _flood.Admit(Findings.RateLimitExceeded, "203.0.113.7", LogLevel.Warning).Should().BeTrue();
        _clock.Advance(TimeSpan.FromSeconds(10));
        _flood.Admit(Findings.RateLimitExceeded, "203.0.113.7", LogLevel.Warning).Should().BeTrue();
        _clock.Advance(TimeSpan.FromSeconds(10));
        var counted = _clock.GetUtcNow();
        _flood.Admit(Findings.RateLimitExceeded, "203.0.113.7", LogLevel.Information).Should().BeFalse();
        _clock.Advance(TimeSpan.FromSeconds(20));
        var lastCounted = _clock.GetUtcNow();
        _flood.Admit(Findings.RateLimitExceeded, "203.0.113.7", LogLevel.Error).Should().BeFalse();

        _clock.Advance(TimeSpan.FromSeconds(19));
        Summaries.Should().BeEmpty("the window lasts one minute from the first occurrence");
        _clock.Advance(TimeSpan.FromSeconds(1));

        var summary = Summaries.Should().ContainSingle().Subject;
        summary.Category.Should().Be("Serilog.Sinks.DynatraceSecurity.AspNetCore");
        summary.EventId.Name.Should().Be("excess_rate_limit_exceeded");
        summary.Level.Should().Be(LogLevel.Error, "the highest risk of the counted occurrences");
        summary.Attributes["event.count"].Should().Be(2);
        summary.Attributes["event.start"].Should().Be(counted);
        summary.Attributes["event.end"].Should().Be(lastCounted);
        summary.Attributes["actor.ips"].Should().BeEquivalentTo(new[] { "203.0.113.7" });
        summary.Attributes["finding.type"].Should().Be("excess_rate_limit_exceeded");
        summary.Attributes["finding.title"].Should().Be("2 more excess_rate_limit_exceeded from 203.0.113.7 not reported individually");
        summary.Attributes["SecurityEvent"].Should().Be("DETECTION_FINDING");
        summary.Attributes.Should().NotContainKey("object.id", "a summary keeps the sink's default object: the app");
    }

    [Fact]
    public void WindowsArePerTypeAndAddressAndAWindowWithNothingCountedHasNoSummary()
    {
        for (var i = 0; i < 2; i++)
        {
            _flood.Admit(Findings.RateLimitExceeded, "203.0.113.7", LogLevel.Warning).Should().BeTrue();
            _flood.Admit(Findings.RateLimitExceeded, "203.0.113.8", LogLevel.Warning).Should().BeTrue();
            _flood.Admit(Findings.AuthorizationFail, "203.0.113.7", LogLevel.Error).Should().BeTrue();
        }

        _flood.Admit(Findings.RateLimitExceeded, "203.0.113.8", LogLevel.Warning).Should().BeFalse();
        _clock.Advance(Window);

        Summaries.Should().ContainSingle().Which.Attributes["actor.ips"].Should().BeEquivalentTo(new[] { "203.0.113.8" });
    }

    [Fact]
    public void AfterAWindowEndsANewOneStartsAndEveryOccurrenceIsCountedExactlyOnce()
    {
        var written = 0;
        for (var i = 0; i < 25; i++)
        {
            if (_flood.Admit(Findings.LoginFail, "203.0.113.7", LogLevel.Warning))
                written++;
            _clock.Advance(TimeSpan.FromSeconds(7)); // 25 occurrences over almost three windows
        }

        _flood.EndAll();

        (written + Summaries.Sum(s => (int)s.Attributes["event.count"]!)).Should().Be(25);
        written.Should().Be(6, "two per window, three windows");
    }

    [Fact]
    public void BeyondTheTrackedPairsNewAddressesShareOneWindowPerTypeWhoseSummaryHasNoAddress()
    {
        for (var i = 0; i < FloodControl.MaxTrackedPairs; i++)
            _flood.Admit(Findings.RateLimitExceeded, "10.0." + (i / 256) + "." + (i % 256), LogLevel.Warning);

        _flood.Admit(Findings.RateLimitExceeded, "198.51.100.1", LogLevel.Warning).Should().BeTrue();
        _flood.Admit(Findings.RateLimitExceeded, "198.51.100.2", LogLevel.Warning).Should().BeTrue();
        _flood.Admit(Findings.RateLimitExceeded, "198.51.100.3", LogLevel.Warning).Should().BeFalse("the shared window has written its two");
        _clock.Advance(Window);

        var summary = Summaries.Should().ContainSingle().Subject;
        summary.Attributes.Should().NotContainKey("actor.ips");
        summary.Attributes["finding.title"].Should().Be("1 more excess_rate_limit_exceeded from other addresses not reported individually");
    }

    [Fact]
    public void EndAllWritesTheSummariesOfOpenWindowsAtOnce()
    {
        for (var i = 0; i < 5; i++)
            _flood.Admit(Findings.InputValidationFail, "203.0.113.7", LogLevel.Warning);

        _flood.EndAll();

        Summaries.Should().ContainSingle().Which.Attributes["event.count"].Should().Be(3);
        _clock.Advance(Window);
        Summaries.Should().ContainSingle("an ended window is not summarised twice");
    }
}
