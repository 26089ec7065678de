using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

/// <summary>
/// The request size limit adapts both ways: a 413 lowers it, accepted requests raise it again; and a 413 that
/// contradicts what the endpoint just accepted is retried, never taken as proof that an event is too large.
/// </summary>
public class TooLargeRecoveryTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AfterAnEpisodeOf413sRequestsGrowBackToTheConfiguredSize()
    {
        const int configured = 64 * 1024;
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.BatchSizeLimitBytes = configured;
            o.BatchSizeLimit = 200;
        });
        var security = harness.Security();
        var padding = new string('p', 900);
        security.Warning("Event {N} {Padding}", 0, padding);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        // An episode: the next requests are all refused as too large, whatever their size.
        for (var i = 0; i < 8; i++)
            harness.Receiver.EnqueueResponse(ScriptedResponse.Status(413));

        var logged = 1;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!harness.Receiver.Requests.Any(r => r.StatusCode == 202 && r.Body.Length > configured / 2))
        {
            clock.Elapsed.Should().BeLessThan(Deadline, "requests grow back after the episode");
            for (var i = 0; i < 150; i++)
                security.Warning("Event {N} {Padding}", logged++, padding);
            await harness.Receiver.WaitForEventsAsync(logged, Deadline);
        }

        harness.Receiver.Requests.Should().Contain(r => r.StatusCode == 202 && r.Body.Length < configured / 8,
            "the episode did lower the limit first");
        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(0, logged));
        harness.Fallback.Events.Should().BeEmpty("nothing is dropped for an episode of 413s");
    }

    [Fact]
    public async Task Sporadic413sLoseNothing()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.BatchSizeLimitBytes = 16 * 1024;
            o.BatchSizeLimit = 40;
        });
        // Every fifth request is refused as too large, single events included; the others are processed normally.
        for (var i = 0; i < 2000; i++)
            harness.Receiver.EnqueueResponse(ScriptedResponse.Status(i % 5 == 4 ? 413 : 202));

        var security = harness.Security();
        for (var i = 0; i < 600; i++)
        {
            security.Warning("Event {N} {Padding}", i, new string('s', 100 + (i * 37 % 500)));
            if (i % 50 == 49)
                await harness.Receiver.WaitForEventsAsync(i + 1, Deadline);
        }

        await harness.Logger.DisposeAsync();

        harness.Receiver.Requests.Count(r => r.StatusCode == 413).Should().BeGreaterThan(10);
        harness.Fallback.Events.Should().BeEmpty("a passing 413 is not proof that an event is too large");
        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(0, 600), "every event is delivered, once");
    }

    [Fact]
    public async Task ADoubtful413ThatCannotBeRetriedIsCutNotDropped()
    {
        // retryTimeLimit 0 turns retries off: a 413 for a request no larger than one accepted then proves nothing, so the
        // request is sent in halves instead of being given up.
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.RetryTimeLimit = TimeSpan.Zero;
            o.BatchSizeLimit = 10;
            o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
        });
        var security = harness.Security();
        security.Warning("Event {N} {Padding}", -1, new string('w', 8000));
        await harness.Receiver.WaitForEventsAsync(1, Deadline);
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(413));

        for (var i = 0; i < 10; i++)
            security.Warning("Event {N} {Padding}", i, "small");
        await harness.Receiver.WaitForEventsAsync(11, Deadline);

        harness.Fallback.Events.Should().BeEmpty();
        harness.Receiver.Requests.Select(r => r.StatusCode).Should().Equal(202, 413, 202, 202);
    }
}
