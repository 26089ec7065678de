using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Durable;

/// <summary>
/// The durable buffer on a file system that misbehaves, made real: a named pipe among the files, an open that does not
/// return, a directory that turns read-only, a huge file that is not a buffer file, a full volume.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class BufferFileSystemTests : IDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    readonly TemporaryDirectory _directory = new();

    string BufferPath => Path.Combine(_directory.Path, "buffer");

    string[] BufferFiles() => Directory.Exists(BufferPath) ? Directory.GetFiles(BufferPath, "*.dtsb") : Array.Empty<string>();

    Task<SinkHarness> StartLoggerAsync(DynatraceIngestReceiver receiver, Action<DynatraceSecuritySinkOptions>? more = null,
        TimeProvider? time = null) =>
        SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.BufferPath = BufferPath;
            o.ShutdownTimeout = TimeSpan.FromMilliseconds(500);
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            more?.Invoke(o);
        }, time: time);

    static void Outage(DynatraceIngestReceiver receiver)
    {
        for (var i = 0; i < 10_000; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(503));
    }

    /// <summary>Disposes the logger on another thread; true when that took less than <paramref name="bound"/>.</summary>
    static bool DisposedWithin(SinkHarness harness, TimeSpan bound) => Task.Run(() => harness.Logger.Dispose()).Wait(bound);

    /// <summary>
    /// A named pipe called *.dtsb in the buffer directory (opening it for reading waits for a writer, forever) is not a
    /// file the sink wrote: it is never opened, the file beside it is sent, and disposal stays within shutdownTimeout
    /// + requestTimeout.
    /// </summary>
    [UnixFact]
    public async Task ANamedPipeAmongTheBufferFilesIsNeverOpened()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Directory.CreateDirectory(BufferPath);
        var pipe = Path.Combine(BufferPath, "0000000000000000001-0000001-000001.dtsb");
        FileSystemSituations.MakeFifo(pipe);
        TestBuffer.Write(BufferPath, "0000000000000000002-0000001-000001", TestBuffer.Destination(receiver), new[] { (2, TimeSpan.FromMinutes(1)) });
        var harness = await StartLoggerAsync(receiver);
        try
        {
            Eventually.True(() => receiver.Events.Count == 1, Deadline, "the file beside the pipe is sent");

            DisposedWithin(harness, TimeSpan.FromSeconds(0.5 + 1 + 2)).Should().BeTrue("disposal is bounded by shutdownTimeout + requestTimeout");
            File.Exists(pipe).Should().BeFalse("the pipe is moved aside, unopened");
            SelfLogCapture.Containing(pipe).Should().Contain(l => l.Contains("not a regular file"));
        }
        finally
        {
            FileSystemSituations.ReleaseFifo(pipe); // lets a reader stuck in it go on
            await harness.DisposeAsync();
        }
    }

    /// <summary>
    /// A replayer stuck in the file system (here an open that an unanswering on-access scanner holds, as a hung
    /// network mount would) does not hold up disposal: it is abandoned, and SelfLog says so.
    /// </summary>
    [LinuxRootFact]
    public async Task DisposalDoesNotWaitForAReplayerStuckInTheFileSystem()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var file = TestBuffer.Write(BufferPath, TestBuffer.Name(TimeSpan.FromMinutes(1), 1), TestBuffer.Destination(receiver),
            new[] { (1, TimeSpan.FromMinutes(1)) });
        using var stuck = new StuckOpen(file);
        var opening = stuck.Opening;
        var harness = await StartLoggerAsync(receiver);
        try
        {
            opening.Wait(Deadline).Should().BeTrue("the replayer opens the file and waits");

            DisposedWithin(harness, TimeSpan.FromSeconds(0.5 + 1 + 2)).Should().BeTrue("disposal is bounded by shutdownTimeout + requestTimeout");
            SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority).Should().Contain(l => l.Contains("replayer did not stop"));
        }
        finally
        {
            stuck.Dispose();
            await harness.DisposeAsync();
        }
    }

    /// <summary>
    /// A file sent (accepted) that cannot be deleted, as the directory turned read-only (a read-only bind mount as
    /// root, else its permissions), is not sent again by this logger; SelfLog says once what that means. On a fake
    /// clock: the replayer's later looks at the directory are counted, not waited for.
    /// </summary>
    [UnixFact(MakesReadOnly = true)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AFileSentButNotDeletableIsNotSentAgain()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Outage(receiver);
        TestBuffer.Write(BufferPath, TestBuffer.Name(TimeSpan.FromMinutes(1), 1), TestBuffer.Destination(receiver),
            Enumerable.Range(0, 20).Select(n => (n, TimeSpan.FromMinutes(1))));
        var clock = new IdlePollClock();
        // A request's timeout is on the fake clock too: far beyond what the test advances it.
        await using var harness = await StartLoggerAsync(receiver, o => o.RequestTimeout = TimeSpan.FromMinutes(10), clock);
        await receiver.WaitForRequestsAsync(1, Deadline);

        using (FileSystemSituations.ReadOnly(BufferPath))
        {
            receiver.ClearScriptedResponses();
            Eventually.True(() => AdvancedUntil(clock, TimeSpan.FromMilliseconds(100), () => receiver.Events.Count >= 20), Deadline,
                "the replayer's next probe delivers the file");
            var looks = clock.IdlePolls;
            Eventually.True(() => AdvancedUntil(clock, Replayer.IdlePoll, () => clock.IdlePolls >= looks + 2 || receiver.Events.Count > 20),
                Deadline, "the replayer finds nothing to send, twice");

            receiver.Events.Should().HaveCount(20, "a file sent is not sent again by this logger");
            SelfLogCapture.Containing(BufferPath).Should().ContainSingle(l => l.Contains("read-only"));
            await harness.Logger.DisposeAsync();
        }

        BufferFiles().Should().ContainSingle("it stays for the next start");
    }

    static bool AdvancedUntil(FakeTimeProvider clock, TimeSpan step, Func<bool> condition)
    {
        if (condition())
            return true;
        clock.Advance(step);
        return false;
    }

    /// <summary>A fake clock that counts the replayer's idle waits (it waits <see cref="Replayer.IdlePoll"/> when it has nothing to send).</summary>
    sealed class IdlePollClock : FakeTimeProvider
    {
        int _idlePolls;

        public IdlePollClock()
            : base(DateTimeOffset.UtcNow)
        {
        }

        public int IdlePolls => Volatile.Read(ref _idlePolls);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Replayer.IdlePoll)
                Interlocked.Increment(ref _idlePolls);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>
    /// A 300 MiB file named *.dtsb that is not a buffer file is set aside after a look at its start, not read into
    /// memory; the file beside it is sent.
    /// </summary>
    [Fact]
    public async Task AHugeFileThatIsNotABufferFileIsSetAsideUnread()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Directory.CreateDirectory(BufferPath);
        var junk = Path.Combine(BufferPath, "0000000000000000001-0000001-000001.dtsb");
        using (var stream = File.Create(junk))
        {
            stream.Write("not a buffer file"u8);
            stream.SetLength(300L * 1024 * 1024); // sparse: quick to make, and as large when read
        }

        TestBuffer.Write(BufferPath, "0000000000000000002-0000001-000001", TestBuffer.Destination(receiver), new[] { (2, TimeSpan.FromMinutes(1)) });
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var before = process.WorkingSet64;
        var peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(5);
            }
        });

        await using (var harness = await StartLoggerAsync(receiver))
        {
            Eventually.True(() => receiver.Events.Count == 1 && BufferFiles().Length == 0, Deadline, "the file beside it is sent, the junk moved aside");
        }

        stop.Cancel();
        await sampler;
        (peak - before).Should().BeLessThan(100L * 1024 * 1024, "the junk is not read into memory");
        new FileInfo(Path.Combine(BufferPath, "damaged", Path.GetFileName(junk))).Length.Should().Be(300L * 1024 * 1024);
        SelfLogCapture.Containing(junk).Should().Contain(l => l.Contains("no header of a buffer file"));
    }

    /// <summary>
    /// A buffer directory on a volume without space and inodes at start does not stop the logger: it builds, events are
    /// delivered, SelfLog names the directory; once the volume has room, an outage's events go to the buffer. (A path
    /// under a regular file still fails at configuration: DurableDeliveryTests.)
    /// </summary>
    [LinuxRootFact]
    public async Task ABufferOnAFullVolumeAtStartDoesNotStopTheLogger()
    {
        var volume = Path.Combine(_directory.Path, "volume");
        using var mount = FileSystemSituations.Tmpfs(volume, "size=256k,nr_inodes=64");
        var buffer = Path.Combine(volume, "buffer");
        Directory.CreateDirectory(buffer);
        var fillers = 0;
        try
        {
            for (; ; fillers++)
                File.WriteAllBytes(Path.Combine(volume, "filler" + fillers), new byte[16 * 1024]);
        }
        catch (IOException)
        {
            // no space, or no inodes
        }

        try
        {
            for (; ; fillers++)
                File.WriteAllBytes(Path.Combine(volume, "filler" + fillers), Array.Empty<byte>());
        }
        catch (IOException)
        {
            // no inodes left either
        }

        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.BufferPath = buffer;
            o.RetryTimeLimit = TimeSpan.FromMilliseconds(200);
        });

        SelfLogCapture.Containing(buffer).Should().Contain(l => l.Contains("cannot be written now") && l.Contains("No space left"));
        harness.LogNumbered(5);
        await receiver.WaitForEventsAsync(5, Deadline);

        foreach (var filler in Directory.GetFiles(volume, "filler*"))
            File.Delete(filler);
        Outage(receiver);
        harness.LogNumbered(5);
        Eventually.True(() => harness.Metrics.Sum("events.persisted") == 5, Deadline, "an outage's events go to the buffer once the volume has room");
        Directory.GetFiles(buffer, "*.dtsb").Should().NotBeEmpty();
        harness.Fallback.Events.Should().BeEmpty();
    }

    public void Dispose() => _directory.Dispose();
}
