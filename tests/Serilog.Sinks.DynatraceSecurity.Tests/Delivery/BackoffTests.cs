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
        var backoff = Backoff.Default;
        backoff.DelayAfter(1, 0.999999).Should().BeCloseTo(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1));
        backoff.DelayAfter(2, 0.999999).Should().BeCloseTo(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1));
        backoff.DelayAfter(5, 0.999999).Should().BeCloseTo(TimeSpan.FromSeconds(16), TimeSpan.FromMilliseconds(1));
        backoff.DelayAfter(7, 0.999999).Should().BeCloseTo(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(1));
        backoff.DelayAfter(1000, 0.999999).Should().BeCloseTo(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void FullJitterButNeverBelowTheMinimum()
    {
        var backoff = Backoff.Default;
        backoff.DelayAfter(6, 0.5).Should().Be(TimeSpan.FromSeconds(16));
        backoff.DelayAfter(6, 0.0).Should().Be(TimeSpan.FromSeconds(1), "a dead endpoint is not hammered");
    }
}
