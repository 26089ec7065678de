using System;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Durable;

/// <summary>
/// With a durable buffer, an endpoint that hangs or asks to wait holds nothing in memory for long: a failed request
/// goes to disk at once (the crash window is <c>bufferingTimeLimit</c> + <c>requestTimeout</c>), a request that hangs
/// while the queue fills is given up for the disk, and disposal writes what is left to disk instead of reporting it.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class DurableHangingEndpointTests : IDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    readonly TemporaryDirectory _directory = new();

    Action<DynatraceSecuritySinkOptions> Durable(Action<DynatraceSecuritySinkOptions> more) => o =>
    {
        o.BufferPath = Path.Combine(_directory.Path, "buffer");
        o.BatchSizeLimit = 10;
        more(o);
    };

    static void Hang(DynatraceIngestReceiver receiver)
    {
        for (var i = 0; i < 1000; i++)
            receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task DisposalWhileTheEndpointHangsWritesTheQueueToDiskInsteadOfReportingIt()
    {
        await using var harness = await SinkHarness.StartAsync(Durable(o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(3); // the first attempt is still hanging when disposal begins
            o.ShutdownTimeout = TimeSpan.FromMilliseconds(200);
        }));
        Hang(harness.Receiver);

        harness.LogNumbered(50);
        await harness.Receiver.WaitForArrivalsAsync(1, Deadline);
        await harness.Logger.DisposeAsync();

        harness.Fallback.Events.Should().BeEmpty("with bufferPath, what disposal leaves waits on disk");
        harness.Metrics.Dropped(DropReason.Shutdown).Should().Be(0);
        harness.Metrics.Sum("events.persisted").Should().Be(50);
    }

    [Fact]
    public async Task ARequestRefusedWithALongRetryAfterIsOnDiskWithinTheCrashWindow()
    {
        await using var harness = await SinkHarness.StartAsync(Durable(o => o.RequestTimeout = TimeSpan.FromSeconds(1)));
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(503, retryAfter: "60"));
        Hang(harness.Receiver);

        harness.LogNumbered(1);

        // bufferingTimeLimit (20 ms) + requestTimeout (1 s), with room for a busy machine; far below the Retry-After.
        Eventually.True(() => harness.Metrics.Sum("events.persisted") == 1, TimeSpan.FromSeconds(5),
            "a failed request is written to disk at once, not held in memory for its Retry-After");
        harness.Receiver.Requests.Should().ContainSingle("later requests wait on disk while the endpoint asks to wait");
    }

    [Fact]
    public async Task ARequestThatHangsWhileTheQueueFillsIsGivenUpForTheDisk()
    {
        await using var harness = await SinkHarness.StartAsync(Durable(o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(60); // far longer than the test may take
            o.QueueLimit = 100;
        }));
        Hang(harness.Receiver);

        harness.LogNumbered(1);
        await harness.Receiver.WaitForArrivalsAsync(1, Deadline);
        var logged = 1;
        for (var round = 0; round < 4; round++)
        {
            // More than half the queue each time: the hanging request is given up (after a second), and later requests
            // go straight to disk, so the queue empties again before the next round.
            harness.LogNumbered(60);
            logged += 60;
            Eventually.True(() => harness.Metrics.Sum("events.persisted") == logged, TimeSpan.FromSeconds(15), "every event waits on disk");
        }

        harness.Metrics.Dropped(DropReason.QueueFull).Should().Be(0, "nothing is dropped as queue-full while the disk has room");
        harness.Fallback.Events.Should().BeEmpty();
        await harness.Receiver.DisposeAsync(); // ends the replayer's hanging probe, so the logger is disposed at once
    }

    public void Dispose() => _directory.Dispose();
}
