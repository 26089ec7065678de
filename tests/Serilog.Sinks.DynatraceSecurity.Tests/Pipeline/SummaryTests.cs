using System;
using System.Collections.Generic;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Pipeline;

/// <summary>SelfLog summaries on a fake clock: the first line at once, then at most one per interval.</summary>
public sealed class SummaryTests
{
    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    readonly List<long> _lines = new();

    [Fact]
    public void AnEmptyCountDoesNotHoldBackTheFirstLine()
    {
        // The undelivered-events file adds what it refused with every record it writes, usually nothing.
        var summary = new Summary(_clock, _lines.Add);
        summary.Add(0);
        _clock.Advance(TimeSpan.FromSeconds(1));

        summary.Add(3);

        _lines.Should().Equal(new long[] { 3 }, "the first line comes at once");
    }

    [Fact]
    public void LaterCountsWaitForTheIntervalAndAreWrittenByTheTimer()
    {
        var summary = new Summary(_clock, _lines.Add);
        summary.Add();
        summary.Add(2);
        _clock.Advance(Summary.Interval - TimeSpan.FromSeconds(1));
        summary.Add(4);
        _lines.Should().Equal(new long[] { 1 }, "one line per interval at most");

        _clock.Advance(TimeSpan.FromSeconds(1));

        _lines.Should().Equal(new long[] { 1, 6 }, "what waited is written when the interval ends, with no further event");
    }
}
