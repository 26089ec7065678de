using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Durable;

/// <summary>
/// The durable buffer where it is easy to get wrong (found by an adversarial review): rewrites that fail or are cut
/// short by a crash, damaged headers, files that cannot be moved aside, a directory removed at run time, claim races
/// and file names shared by loggers. Each test states a promise of docs/delivery.md's "Durable delivery" section.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class DurableBufferEdgeTests : IDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    readonly TemporaryDirectory _directory = new();

    string BufferPath => Path.Combine(_directory.Path, "buffer");

    Action<DynatraceSecuritySinkOptions> Durable(Action<DynatraceSecuritySinkOptions>? more = null) => o =>
    {
        o.BufferPath = BufferPath;
        o.RetryTimeLimit = TimeSpan.FromMilliseconds(200);
        o.BatchSizeLimit = 10;
        more?.Invoke(o);
    };

    static void Outage(DynatraceIngestReceiver receiver, int status = 503)
    {
        for (var i = 0; i < 10_000; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(status));
    }

    string[] BufferFiles() => Directory.Exists(BufferPath) ? Directory.GetFiles(BufferPath, "*.dtsb") : Array.Empty<string>();

    string WriteBufferFile(DynatraceIngestReceiver receiver, string name, IEnumerable<(int N, TimeSpan Age)> events) =>
        TestBuffer.Write(BufferPath, name, TestBuffer.Destination(receiver), events);

    /// <summary>
    /// A replayed file partly delivered (bisection of a 400) and then deferred (503) is written back without the
    /// delivered events. When that rewrite fails (disk full; here a directory squats on its temporary name), the
    /// original stays whole but the replayer remembers what is left: the accepted events are not sent again, and
    /// SelfLog says so.
    /// </summary>
    [Fact]
    public async Task AFailedRewriteOfAPartlySentFileDoesNotResendWhatWasDelivered()
    {
        var receiver = await DynatraceIngestReceiver.StartAsync();
        await using var _ = receiver;
        var file = WriteBufferFile(receiver, "0000000000000000001-0000001-000001", Enumerable.Range(0, 8).Select(n => (n, TimeSpan.FromMinutes(1))));
        Directory.CreateDirectory(Path.Combine(BufferPath, "." + Path.GetFileNameWithoutExtension(file) + "-r.dtsb.tmp"));

        // The whole file: 400; the probes (first, middle): accepted; the last probe and everything after: 503.
        receiver.EnqueueResponse(ScriptedResponse.Status(400));
        receiver.EnqueueResponse(ScriptedResponse.Status(202));
        receiver.EnqueueResponse(ScriptedResponse.Status(202));
        for (var i = 0; i < 3; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(503));

        await using var harness = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));
        Eventually.True(() => BufferFiles().Length == 0 && receiver.PendingScriptedResponses == 0, Deadline, "replayed after the 503s");

        receiver.Events.Select(e => e.GetString("event.id")).Should().OnlyHaveUniqueItems("an accepted event is not sent again");
        SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority).Should().Contain(l => l.Contains("durable buffer") && l.Contains("rewrit", StringComparison.OrdinalIgnoreCase),
            "a rewrite that failed is at least said in SelfLog");
        await harness.Receiver.DisposeAsync();
    }

    /// <summary>
    /// Events too old for Dynatrace in a file that is deferred are reported, and the file is written back without
    /// them. When the rewrite fails, the file stays whole, and later probes do not report the same events again.
    /// </summary>
    [Fact]
    public async Task TooOldEventsInAFileWhoseRewriteFailsAreReportedOnce()
    {
        // The outage is scripted before the sink starts: the replayer sends the file at once.
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Outage(receiver);
        var file = WriteBufferFile(receiver, "0000000000000000001-0000001-000001",
            new[] { (0, TimeSpan.FromHours(24)), (1, TimeSpan.FromMinutes(1)), (2, TimeSpan.FromMinutes(1)) });
        Directory.CreateDirectory(Path.Combine(BufferPath, "." + Path.GetFileNameWithoutExtension(file) + "-r.dtsb.tmp"));

        await using var harness = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));
        Eventually.True(() => receiver.Requests.Count >= 5, Deadline, "the replayer probes several times");

        harness.Metrics.Dropped(DropReason.TooOld).Should().Be(1, "one event was too old, and it is reported once");
    }

    /// <summary>
    /// "A corrupt file never stalls delivery", even when a file of its name is already in damaged/ (or the disk is
    /// full, or damaged/ is not writable): the files after it are still sent.
    /// </summary>
    [Fact]
    public async Task ADamagedFileThatCannotBeMovedAsideDoesNotStallTheFilesAfterIt()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        WriteBufferFile(receiver, "0000000000000000002-0000001-000001", new[] { (7, TimeSpan.FromMinutes(1)) });
        File.WriteAllText(Path.Combine(BufferPath, "0000000000000000001-garbage.dtsb"), "not a buffer file");
        Directory.CreateDirectory(Path.Combine(BufferPath, "damaged"));
        File.WriteAllText(Path.Combine(BufferPath, "damaged", "0000000000000000001-garbage.dtsb"), "an earlier one");

        await using var harness = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));

        await receiver.WaitForEventsAsync(1, TimeSpan.FromSeconds(15));
        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().Equal(7);
    }

    /// <summary>
    /// The buffer directory removed at run time (tmp cleaner, operator): it is created again on the next write, and
    /// what cannot be written is reported as the documented "buffer_failed", never as an internal error.
    /// </summary>
    [Fact]
    public async Task ABufferDirectoryRemovedAtRunTimeIsReportedAsBufferFailed()
    {
        await using var harness = await SinkHarness.StartAsync(Durable());
        Outage(harness.Receiver);
        Directory.Delete(BufferPath, recursive: true);

        harness.LogNumbered(5);
        Eventually.True(() => harness.Fallback.Events.Count + harness.Metrics.Sum("events.persisted") == 5, Deadline, "every event on disk or reported");

        harness.Metrics.Dropped(DropReason.Internal).Should().Be(0, "a missing directory is a buffer failure, not a bug of the sink");
    }

    /// <summary>
    /// Metrics collection (MeterListener.RecordObservableInstruments, as OpenTelemetry collects) must not throw when the
    /// buffer.size and buffer.files callbacks find the directory gone.
    /// </summary>
    [Fact]
    public async Task CollectingMetricsDoesNotThrowWhenTheBufferDirectoryIsGone()
    {
        await using var harness = await SinkHarness.StartAsync(Durable());
        Directory.Delete(BufferPath, recursive: true);

        var collect = () => harness.Metrics.QueueLength;

        collect.Should().NotThrow();
    }

    /// <summary>
    /// A crash between writing the rest of a partly sent file (name-r.dtsb) and deleting the original leaves both: the
    /// rewrite supersedes the original, so nothing is sent twice. The state is built here as such a crash leaves it:
    /// events 0..3, of which 0 and 1 were delivered.
    /// </summary>
    [Fact]
    public async Task ACrashBetweenRewriteAndDeleteDoesNotSendEventsTwice()
    {
        var name = "0000000000000000001-0000001-000001";
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        WriteBufferFile(receiver, name, Enumerable.Range(0, 4).Select(n => (n, TimeSpan.FromMinutes(1))));
        WriteBufferFile(receiver, name + "-r", Enumerable.Range(2, 2).Select(n => (n, TimeSpan.FromMinutes(1))));

        await using var harness = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));
        Eventually.True(() => BufferFiles().Length == 0, Deadline, "both files are replayed");

        receiver.Events.Select(e => e.GetString("event.id")).Should().OnlyHaveUniqueItems();
    }

    /// <summary>
    /// The checksum covers the header's lists too: a header damaged on disk (here one digit of a timestamp, which would
    /// make a fresh event look two days old, or an old one fresh) is noticed like a damaged body.
    /// </summary>
    [Fact]
    public void ADamagedHeaderIsNoticedLikeADamagedBody()
    {
        using var batch = new FormattedBatch();
        using var body = new PooledBufferWriter();
        using var stream = new MemoryStream();
        batch.Add(null, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), Encoding.UTF8.GetBytes(TestBuffer.EventJson(1)));
        BufferFile.Write(stream, "https://abc12345.live.dynatrace.com/platform/ingest/v1/security.events", batch, EventSet.Range(0, 1), body);
        var contents = stream.ToArray();
        var text = Encoding.UTF8.GetString(contents);
        var at = text.IndexOf("1700000000000", StringComparison.Ordinal);
        contents[at + 3] = (byte)'1'; // 1701... : a bit flip in the header

        using var read = new FormattedBatch();
        using var buffer = new PooledBufferWriter();
        using var damaged = new MemoryStream(contents);
        var (header, problem) = BufferFile.ReadHeader(damaged, buffer);
        problem.Should().BeNull("the header is still well-formed");
        header!.ReadEvents(damaged, buffer, read).Should().NotBeNull("a header that does not match what was written is damaged");
    }

    /// <summary>
    /// On Linux a claim is flock() on a descriptor opened by path: a claimer that opened the file just before the holder
    /// unlinked it (after its 2xx) would lock the orphaned file once the holder closes it, and send it again. Several
    /// claimers race over many small files here, as replayers sharing a directory do; a file claimed twice is a file
    /// sent twice.
    /// </summary>
    [Fact]
    public void AFileDeletedByItsHolderIsNeverClaimedAgain()
    {
        Directory.CreateDirectory(BufferPath);
        const int Files = 3000;
        for (var i = 0; i < Files; i++)
            File.WriteAllText(Path.Combine(BufferPath, $"{i:D19}.dtsb"), "x");

        var claims = new ConcurrentDictionary<string, int>();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (var round = 0; round < 50; round++)
            {
                foreach (var path in Directory.GetFiles(BufferPath, "*.dtsb").OrderBy(p => p, StringComparer.Ordinal))
                {
                    using var claimed = BufferFile.TryClaim(path);
                    if (claimed == null)
                        continue;
                    claims.AddOrUpdate(path, 1, (_, n) => n + 1);
                    BufferFile.Delete(claimed);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        claims.Where(c => c.Value > 1).Should().BeEmpty("a file deleted after its delivery is not sent again");
    }

    /// <summary>
    /// Buffer file names are ticks-pid-sequence: two loggers of one process sharing a bufferPath (supported) that spill
    /// in the same tick must still pick different names, or the second write fails although the disk is fine. Shown on
    /// a fake clock.
    /// </summary>
    [Fact]
    public void TwoLoggersOfOneProcessNeverPickTheSameBufferFileName()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        const string Destination = "https://abc12345.live.dynatrace.com/platform/ingest/v1/security.events";
        var one = BufferDirectory.Open(BufferPath, Destination, 1024 * 1024, clock).Directory;
        var two = BufferDirectory.Open(BufferPath, Destination, 1024 * 1024, clock).Directory;
        using var batch = new FormattedBatch();
        using var body = new PooledBufferWriter();
        batch.Add(null, clock.GetUtcNow(), Encoding.UTF8.GetBytes(TestBuffer.EventJson(1)));

        one.TryWrite(batch, EventSet.Range(0, 1), body, out _).Should().BeNull();
        two.TryWrite(batch, EventSet.Range(0, 1), body, out _).Should().BeNull("the disk has room; only the name is taken");
    }

    public void Dispose() => _directory.Dispose();
}
