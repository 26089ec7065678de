using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

public class DeliveryPolicyTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A400IsBisectedSoOnlyTheRejectedEventsAreReportedAndTheRestDelivered()
    {
        var receiverOptions = new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.GetProperty("N").GetInt32() is 3 or 7 or 8 ? "attribute N has a forbidden value" : null,
        };
        await using var harness = await SinkHarness.StartAsync(o => o.BufferingTimeLimit = TimeSpan.FromMinutes(5), receiverOptions);

        harness.LogNumbered(20);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(0, 20).Except(new[] { 3, 7, 8 }));
        harness.ReceivedNumbers().Should().OnlyHaveUniqueItems("no event is delivered twice by the bisection");
        SinkHarness.Numbers(harness.Fallback.Events).Should().BeEquivalentTo(new[] { 3, 7, 8 }, "exactly the rejected events are reported");
        harness.Metrics.Dropped(DropReason.Rejected).Should().Be(3);
        SelfLogCapture.Containing("attribute N has a forbidden value").Should().NotBeEmpty("Dynatrace's message is reported");
    }

    [Fact]
    public async Task A413SplitsTheRequestAndLaterRequestsAreCutToTheSizeThatWorked()
    {
        await using var harness = await SinkHarness.StartAsync(
            o =>
            {
                o.BatchSizeLimitBytes = 64 * 1024;
                o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
            },
            new DynatraceIngestReceiverOptions { MaxRequestBytes = 4000 });
        var padding = new string('p', 200);

        // The eager first event goes alone; the next 99 form one ~40 KB request that the endpoint refuses.
        harness.LogNumbered(100, padding);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);
        harness.Sink.Dispose();

        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(0, 100));
        harness.ReceivedNumbers().Should().OnlyHaveUniqueItems();
        harness.Fallback.Events.Should().BeEmpty();
        var tooLarge = harness.Receiver.Requests.Count(r => r.StatusCode == 413);
        tooLarge.Should().BeInRange(1, 8, "halving a 40 KB request to under 4 KB takes a few 413s, not one per event");
        SelfLogCapture.Containing("requests are now cut to").Should().NotBeEmpty();
    }

    [Fact]
    public async Task AnEventTheEndpointFindsTooLargeOnItsOwnIsReportedAndTheOthersDelivered()
    {
        // A single event counts as too large only when it is larger than 64 KiB and than any request accepted, and was
        // refused three times: Dynatrace's limits are megabytes, a 413 for a small event is about something else.
        await using var harness = await SinkHarness.StartAsync(
            o => o.BufferingTimeLimit = TimeSpan.FromMilliseconds(300),
            new DynatraceIngestReceiverOptions { MaxRequestBytes = 100_000 });
        var security = harness.Security();

        security.Warning("Event {N} {Padding}", 0, "small");
        security.Warning("Event {N} {Padding}", 1, "small");
        security.Warning("Event {N} {Padding}", 2, new string('x', 70_000));
        security.Warning("Event {N} {Padding}", 3, "small");
        Eventually.True(() => harness.Receiver.Events.Count == 3 && harness.Fallback.Events.Count == 1, Deadline, "every event is resolved");

        harness.ReceivedNumbers().Should().BeEquivalentTo(new[] { 0, 1, 3 });
        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(2);
        harness.Metrics.Dropped(DropReason.TooLarge).Should().Be(1);
        harness.Receiver.Requests.Count(r => r.StatusCode == 413).Should().BeInRange(3, 4,
            "the event alone is tried three times before it counts as too large (plus the request that held it)");
    }

    [Fact]
    public async Task ASmallEventIsNeverDroppedAsTooLargeHoweverOftenItGetsA413()
    {
        await using var harness = await SinkHarness.StartAsync();
        for (var i = 0; i < 6; i++)
            harness.Receiver.EnqueueResponse(ScriptedResponse.Status(413));

        harness.Security().Warning("Event {N}", 1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        harness.Receiver.Requests.Count(r => r.StatusCode == 413).Should().Be(6);
        harness.Fallback.Events.Should().BeEmpty();
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task RetryAfterInSecondsIsHonoured(int status)
    {
        await using var harness = await SinkHarness.StartAsync();
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(status, retryAfter: "1"));

        harness.Security().Warning("Event {N}", 1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        var requests = harness.Receiver.Requests;
        (requests[1].ReceivedAt - requests[0].ReceivedAt).Should().BeGreaterThan(TimeSpan.FromMilliseconds(900),
            "the retry comes no earlier than Retry-After says (the sink's own backoff here is 20-100 ms)");
    }

    [Fact]
    public async Task RetryAfterAsAnHttpDateIsHonouredAndHoldsBackLaterRequestsToo()
    {
        await using var harness = await SinkHarness.StartAsync(o => o.BatchSizeLimit = 1);
        var when = DateTimeOffset.UtcNow.AddSeconds(3);
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(503, retryAfter: when.ToString("r", CultureInfo.InvariantCulture)));

        harness.LogNumbered(3);
        await harness.Receiver.WaitForEventsAsync(3, Deadline);

        var requests = harness.Receiver.Requests;
        requests[0].StatusCode.Should().Be(503);
        // HTTP dates have whole seconds: allow for the truncation and clock granularity.
        requests.Skip(1).Should().OnlyContain(r => r.ReceivedAt >= when.AddSeconds(-1.1),
            "neither the retried request nor the requests behind it are sent before the date");
    }

    [Fact]
    public async Task RetryAfterHoldsBackLaterRequestsEvenWhenTheRequestThatGotItIsGivenUp()
    {
        // The endpoint asks for 2 s; the retry time limit is shorter, so that request is reported at once, but the
        // endpoint's wish still holds for the next request.
        await using var harness = await SinkHarness.StartAsync(o => o.RetryTimeLimit = TimeSpan.FromMilliseconds(500));
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(429, retryAfter: "2"));

        harness.Security().Warning("Event {N}", 0);
        Eventually.True(() => harness.Fallback.Events.Count == 1, Deadline, "the first event is given up");
        harness.Security().Warning("Event {N}", 1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        var requests = harness.Receiver.Requests;
        requests.Select(r => r.StatusCode).Should().Equal(429, 202);
        (requests[1].ReceivedAt - requests[0].ReceivedAt).Should().BeGreaterThan(TimeSpan.FromMilliseconds(1900));
        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(0);
    }

    [Theory]
    [InlineData(401, "access token")]
    [InlineData(404, "endpoint name")]
    public async Task ConfigurationFailuresAreReportedWithWhatToCheckRetriedAndFinallyDropped(int status, string hint)
    {
        await using var harness = await SinkHarness.StartAsync(o => o.RetryTimeLimit = TimeSpan.FromMilliseconds(400));
        for (var i = 0; i < 100; i++)
            harness.Receiver.EnqueueResponse(ScriptedResponse.Status(status));

        harness.Security().Warning("Event {N}", 5);
        Eventually.True(() => harness.Fallback.Events.Count == 1, Deadline, "the event is reported once retrying ends");

        harness.Receiver.Requests.Count.Should().BeGreaterThan(1, "a configuration problem can be fixed without a restart, so it is retried");
        SelfLogCapture.Containing(hint).Should().Contain(l => l.Contains(status.ToString(CultureInfo.InvariantCulture)));
        harness.Metrics.Dropped(DropReason.RetryTimeLimitExceeded).Should().Be(1);
    }

    [Fact]
    public async Task DisposalIsIdempotentAndThreadSafeAndLaterEventsAreReportedNotSent()
    {
        await using var harness = await SinkHarness.StartAsync();
        harness.Security().Warning("Event {N}", 1);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => harness.Sink.Dispose())));
        await harness.Sink.DisposeAsync();
        var log = () => harness.Sink.Emit(Capture.Event(l => l.ForSecurityEvent().Warning("Event {N}", 2)));

        log.Should().NotThrow();
        harness.ReceivedNumbers().Should().Equal(1);
        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(new[] { 2 }, "the logger's other sinks may still be disposing: the listener gets it");
    }
}

/// <summary>Delivery-policy tests with an upper bound on elapsed time: run alone, after the parallel ones.</summary>
[Collection(TimingCollection.Name)]
public class DeliveryPolicyTimingTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ShutdownWithAHangingEndpointReturnsWithinShutdownTimeoutPlusOneRequestTimeout()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.BatchSizeLimit = 10;
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            o.ShutdownTimeout = TimeSpan.FromSeconds(1);
        }, backoff: SinkHarness.SlowBackoff);
        for (var i = 0; i < 100; i++)
            harness.Receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromSeconds(60)));

        harness.LogNumbered(50);
        await harness.Receiver.WaitForArrivalsAsync(1, Deadline);

        var clock = Stopwatch.StartNew();
        await harness.Logger.DisposeAsync();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1 + 1 + 1.5), "shutdownTimeout + requestTimeout, with slack for a loaded machine");

        harness.Receiver.Events.Should().BeEmpty();
        SinkHarness.Numbers(harness.Fallback.Events).Should().BeEquivalentTo(Enumerable.Range(0, 50), "everything undelivered is reported");
        harness.Metrics.Dropped(DropReason.Shutdown).Should().BeGreaterThan(0);
        await harness.Receiver.DisposeAsync();
    }

    [Fact]
    public async Task ShutdownStopsSendingAtShutdownTimeoutWhenTheEndpointIsSlowButWorking()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.BatchSizeLimit = 5;
            o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
            o.ShutdownTimeout = TimeSpan.FromSeconds(1);
        });
        for (var i = 0; i < 100; i++)
            harness.Receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromMilliseconds(300)));

        harness.LogNumbered(100);
        var clock = Stopwatch.StartNew();
        await harness.Logger.DisposeAsync();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1 + 0.3 + 1.5));

        var delivered = harness.ReceivedNumbers().ToList();
        var reported = SinkHarness.Numbers(harness.Fallback.Events).ToList();
        delivered.Should().NotBeEmpty();
        reported.Should().NotBeEmpty("20 requests of 300 ms do not fit in a 1 s shutdown");
        delivered.Concat(reported).Should().BeEquivalentTo(Enumerable.Range(0, 100), "every event is delivered or reported, once");
    }
}
