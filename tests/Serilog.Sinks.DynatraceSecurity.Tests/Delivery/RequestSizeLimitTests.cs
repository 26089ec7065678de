using System;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

public class RequestSizeLimitTests
{
    const int Configured = 1_000_000;

    [Fact]
    public void A413HalvesTheLimitDownToTheFloor()
    {
        var limit = new RequestSizeLimit(Configured);
        limit.OnTooLarge(1_000_000).Should().BeTrue();
        limit.Current.Should().Be(500_000);
        limit.OnTooLarge(1_000_000).Should().BeFalse("the limit is already half of that");
        limit.OnTooLarge(1500).Should().BeTrue();
        limit.Current.Should().Be(RequestSizeLimit.Floor);
    }

    [Fact]
    public void AcceptedRequestsRaiseTheLimitBackStepByStepToTheConfiguredSize()
    {
        var limit = new RequestSizeLimit(Configured);
        limit.OnTooLarge(8000);
        limit.Current.Should().Be(4000);

        var raises = 0;
        for (var i = 0; i < 1000 && limit.Current < Configured; i++)
        {
            var before = limit.Current;
            limit.OnAccepted(limit.Current); // full requests, all accepted
            if (limit.Current != before)
            {
                raises++;
                limit.Current.Should().BeOneOf(Math.Min(before * 2, Configured), Configured);
            }
        }

        limit.Current.Should().Be(Configured);
        raises.Should().Be(8, "4000 doubles to 1,000,000 in eight steps");
    }

    [Fact]
    public void ARaiseTheEndpointRefutesMakesTheNextWaitLonger()
    {
        var limit = new RequestSizeLimit(Configured);
        limit.OnTooLarge(200_000); // the tenant takes 100,000
        var waits = new int[3];
        for (var round = 0; round < waits.Length; round++)
        {
            var accepted = 0;
            while (limit.Current <= 100_000)
            {
                accepted.Should().BeLessThan(RequestSizeLimit.LastProbeAfter + 1, "a raise comes within the longest wait");
                limit.OnAccepted(100_000);
                accepted++;
            }

            waits[round] = accepted;
            limit.OnTooLarge(limit.Current); // the probe is refused
        }

        waits.Should().Equal(RequestSizeLimit.FirstProbeAfter, RequestSizeLimit.FirstProbeAfter * 2, RequestSizeLimit.FirstProbeAfter * 4);
    }

    [Fact]
    public void ProvenFitsIsTheLargestAcceptedBodyAndSurvivesA413()
    {
        var limit = new RequestSizeLimit(Configured);
        limit.OnAccepted(30_000);
        limit.OnAccepted(10_000);
        limit.OnTooLarge(20_000);
        limit.ProvenFits.Should().Be(30_000);
    }
}
