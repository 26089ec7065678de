using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Http;

/// <summary>OAuth delivery tests with timing at their heart: run alone, after the parallel ones.</summary>
[Collection(TimingCollection.Name)]
public class OAuthDeliveryTimingTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ARunOverSeveralTokenLifetimesDeliversEveryEventWithoutA401()
    {
        await using var harness = await SinkHarness.StartAsync(o => OAuthDeliveryTests.UseOAuth(o),
            new DynatraceIngestReceiverOptions { OAuthTokenLifetime = TimeSpan.FromSeconds(3) });
        var logged = 0;
        var clock = Stopwatch.StartNew();

        // Events keep coming until the sink has renewed its token twice: three tokens, over 4.8 s at least (each is
        // renewed a fifth of its lifetime early; the renewal rule itself is tested on a fake clock in OAuthTokenSourceTests).
        while (harness.Receiver.TokenRequests.Count < 3 && clock.Elapsed < Deadline)
        {
            harness.Security().Warning("Event {N}", logged++);
            await Task.Delay(50);
        }

        await harness.Receiver.WaitForEventsAsync(logged, Deadline);
        harness.Receiver.TokenRequests.Should().HaveCountGreaterThanOrEqualTo(3).And.OnlyContain(r => r.StatusCode == 200);
        harness.Receiver.Requests.Should().OnlyContain(r => r.StatusCode == 202, "every token is renewed before it expires");
        harness.ReceivedNumbers().Should().Equal(Enumerable.Range(0, logged));
        harness.Fallback.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task ShutdownStaysBoundedWhileTheTokenEndpointHangs()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            OAuthDeliveryTests.UseOAuth(o);
            o.RequestTimeout = TimeSpan.FromSeconds(2);
            o.ShutdownTimeout = TimeSpan.FromSeconds(1);
        }, backoff: SinkHarness.SlowBackoff);
        harness.Receiver.EnqueueTokenResponse(ScriptedResponse.Hang(Timeout.InfiniteTimeSpan));
        harness.Receiver.EnqueueTokenResponse(ScriptedResponse.Hang(Timeout.InfiniteTimeSpan));

        harness.LogNumbered(3);
        await harness.Receiver.WaitForArrivalsAsync(1, Deadline);
        var clock = Stopwatch.StartNew();
        await harness.Logger.DisposeAsync();

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "disposal waits at most shutdownTimeout plus one requestTimeout");
        SinkHarness.Numbers(harness.Fallback.Events).Should().BeEquivalentTo(Enumerable.Range(0, 3));
        harness.Metrics.Dropped(DropReason.Shutdown).Should().Be(3);
        harness.Receiver.Requests.Should().BeEmpty();
    }
}
