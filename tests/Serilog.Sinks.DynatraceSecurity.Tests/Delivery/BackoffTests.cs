using System;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

public class BackoffTests
{
    [Fact]
    public void TheCeilingDoublesFromOneSecondToOneMinute()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), () => 0.999999);
        backoff.DelayAfter(1).Should().BeCloseTo(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1));
        backoff.DelayAfter(2).Should().BeCloseTo(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1));
        backoff.DelayAfter(5).Should().BeCloseTo(TimeSpan.FromSeconds(16), TimeSpan.FromMilliseconds(1));
        backoff.DelayAfter(7).Should().BeCloseTo(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(1));
        backoff.DelayAfter(1000).Should().BeCloseTo(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void FullJitterButNeverBelowTheMinimum()
    {
        new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), () => 0.5).DelayAfter(6).Should().Be(TimeSpan.FromSeconds(16));
        new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), () => 0.0).DelayAfter(6).Should().Be(TimeSpan.FromSeconds(1),
            "a dead endpoint is not hammered");
    }
}
