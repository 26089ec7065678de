using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

public class DeliveryFailureTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(408)]
    [InlineData(501)] // every 5xx: the ingest documentation lists them as one class
    [InlineData(505)]
    [InlineData(507)]
    [InlineData(599)]
    public async Task TransientFailuresAreRetriedWithTheSameBodyAndDeliveredOnce(int status)
    {
        await using var harness = await SinkHarness.StartAsync();
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(status));
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(status));

        harness.Security().Warning("Event {N}", 7);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);
        await harness.Logger.DisposeAsync();

        var requests = harness.Receiver.Requests;
        requests.Select(r => r.StatusCode).Should().Equal(status, status, 202);
        requests[2].Body.Should().Equal(requests[0].Body, "a retry resends the same bytes, so event.id stays the same");
        harness.Receiver.Events.Should().ContainSingle();
        harness.Fallback.Events.Should().BeEmpty("a failure that was retried successfully loses nothing");
        harness.Metrics.TotalDropped.Should().Be(0);
    }

    [Fact]
    public async Task ADroppedConnectionIsRetried()
    {
        await using var harness = await SinkHarness.StartAsync();
        harness.Receiver.EnqueueResponse(ScriptedResponse.Drop());

        harness.Security().Warning("Event {N}", 1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        harness.Receiver.Events.Should().ContainSingle();
        harness.Fallback.Events.Should().BeEmpty();
    }

    [Theory]
    [InlineData(422)]
    [InlineData(405)]
    public async Task APermanentRejectionIsReportedOnceWithTheEventsAndNotRetried(int status)
    {
        await using var harness = await SinkHarness.StartAsync();
        harness.Receiver.EnqueueResponse(new ScriptedResponse
        {
            StatusCode = status,
            Body = "{\"error\":{\"code\":" + status + ",\"message\":\"Invalid attribute value\"}}",
        });

        harness.LogNumbered(3);
        Eventually.True(() => harness.Fallback.Events.Count + harness.Receiver.Events.Count == 3, Deadline, "all events resolved");
        await harness.Logger.DisposeAsync();

        var rejected = harness.Fallback.Events;
        rejected.Should().NotBeEmpty();
        (SinkHarness.Numbers(rejected).Concat(harness.ReceivedNumbers())).Should().BeEquivalentTo(Enumerable.Range(0, 3),
            "every event is either accepted or reported, exactly once");
        harness.Receiver.Requests.Count(r => r.StatusCode == status).Should().Be(1, "the status is not retried");
        harness.Metrics.Dropped(DropReason.Rejected).Should().Be(rejected.Count);
        SelfLogCapture.Containing("Invalid attribute value").Should().Contain(l => l.Contains(status.ToString()) && l.Contains("/platform/ingest/custom/security.events/contoso.identity"));
    }

    [Fact]
    public async Task TransientFailuresThatOutlastTheRetryTimeLimitAreReportedAsDropped()
    {
        await using var harness = await SinkHarness.StartAsync(o => o.RetryTimeLimit = TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < 100; i++)
            harness.Receiver.EnqueueResponse(ScriptedResponse.Status(503));

        harness.Security().Warning("Event {N}", 42);
        Eventually.True(() => harness.Fallback.Events.Count == 1, Deadline, "the event is reported after the retry time limit");

        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(42);
        harness.Metrics.Dropped(DropReason.RetryTimeLimitExceeded).Should().Be(1);
        harness.Receiver.Requests.Count.Should().BeGreaterThan(1, "it was retried before giving up");
        harness.Receiver.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task AMissingPermissionIsReportedLoudlyWithWhatToCheck()
    {
        // A generous retry window: on a loaded machine two attempts can take longer than a short one.
        await using var harness = await SinkHarness.StartAsync(o => o.RetryTimeLimit = TimeSpan.FromSeconds(10));
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(403));
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(403));

        harness.Security().Warning("Event {N}", 1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        SelfLogCapture.Containing("openpipeline.events_security.custom").Should().NotBeEmpty();
        harness.Fallback.Events.Should().BeEmpty("the operator fixed it in time");
    }

    [Fact]
    public async Task WhenTheQueueIsFullNewEventsAreReportedAndCounted()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.QueueLimit = 5;
            o.BatchSizeLimit = 1;
        });
        // The first request hangs, so nothing leaves the queue while the test logs.
        harness.Receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromSeconds(30)));

        harness.LogNumbered(20);

        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(Enumerable.Range(5, 15));
        harness.Metrics.Dropped(DropReason.QueueFull).Should().Be(15);
        SelfLogCapture.Containing("queueLimit").Should().NotBeEmpty();

        // Stopping the receiver ends the hanging request, so that disposal does not wait for it.
        await harness.Receiver.DisposeAsync();
    }

    [Fact]
    public async Task TheTokenNeverReachesSelfLogEvenWhenTheEndpointEchoesIt()
    {
        await using var harness = await SinkHarness.StartAsync(o => o.RetryTimeLimit = TimeSpan.Zero);
        var token = harness.Receiver.AccessToken;
        harness.Receiver.EnqueueResponse(new ScriptedResponse
        {
            StatusCode = 401,
            Body = "{\"error\":{\"code\":401,\"message\":\"Token " + token + " is not valid\"}}",
        });

        harness.Security().Warning("Event {N}", 1);
        Eventually.True(() => harness.Fallback.Events.Count == 1, Deadline, "the event is reported");

        var lines = SelfLogCapture.Containing("is not valid");
        lines.Should().NotBeEmpty();
        SelfLogCapture.All.Should().NotContain(l => l.Contains(token));
        SelfLogCapture.All.Should().NotContain(l => l.Contains("LOCALRECEIVERSECRET"));
        harness.Sink.ToString().Should().NotContain(token);
    }
}

/// <summary>Delivery-failure tests with an upper bound on elapsed time: run alone, after the parallel ones.</summary>
[Collection(TimingCollection.Name)]
public class DeliveryFailureTimingTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ABatchFailingThroughoutIsRetriedUntilTheRetryTimeLimitHasPassed()
    {
        // Four loggers with the default backoff (1 s doubling, full jitter) at once: each gives up at its own moment.
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        for (var i = 0; i < 400; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(503));
        var givenUp = new ConcurrentDictionary<string, DateTimeOffset>();
        var loggers = Enumerable.Range(0, 4).Select(i => new LoggerConfiguration()
            .WriteTo.Fallible(wt => wt.DynatraceSecurity(o =>
            {
                o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
                o.AccessToken = receiver.AccessToken;
                o.Endpoint = "retry.limit." + i;
                o.RetryTimeLimit = TimeSpan.FromSeconds(3);
                o.EnrichmentDirectory = "none";
            }), new GiveUpListener(givenUp, "retry.limit." + i))
            .CreateLogger()).ToList();

        foreach (var logger in loggers)
            logger.ForSecurityEvent().Warning("Given up when?");
        Eventually.True(() => givenUp.Count == 4, Deadline, "every logger gives its event up after retryTimeLimit");
        foreach (var logger in loggers)
            await logger.DisposeAsync();

        foreach (var (endpoint, at) in givenUp)
        {
            var attempts = receiver.Requests.Where(r => r.Endpoint == endpoint).Select(r => r.ReceivedAt).ToList();
            (at - attempts.First()).Should().BeGreaterThan(TimeSpan.FromSeconds(2.7), $"{endpoint} is retried for retryTimeLimit (3 s) after its first failure");
            (attempts.Last() - attempts.First()).Should().BeGreaterThan(TimeSpan.FromSeconds(2.7), "its last attempt comes at the limit");
        }
    }

    sealed class GiveUpListener(ConcurrentDictionary<string, DateTimeOffset> givenUp, string endpoint) : ILoggingFailureListener
    {
        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
        {
            if (kind == LoggingFailureKind.Permanent && message.StartsWith("Gave up: retryTimeLimit passed", StringComparison.Ordinal))
                givenUp.TryAdd(endpoint, DateTimeOffset.UtcNow);
        }
    }
}
