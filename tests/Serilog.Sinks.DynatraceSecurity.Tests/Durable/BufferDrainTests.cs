using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Durable;

/// <summary>
/// How the buffer drains and what it says: many small files in few requests at the endpoint's pace, events near the
/// 23-hour limit named, events past it reported where other undelivered events go, a full buffer summarised.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class BufferDrainTests : IDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    readonly TemporaryDirectory _directory = new();

    string BufferPath => Path.Combine(_directory.Path, "buffer");

    string[] BufferFiles() => Directory.Exists(BufferPath) ? Directory.GetFiles(BufferPath, "*.dtsb") : Array.Empty<string>();

    static void Outage(DynatraceIngestReceiver receiver)
    {
        for (var i = 0; i < 10_000; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(503));
    }

    /// <summary>
    /// A low-rate application through a long outage leaves many one-event files: they go several to a request, as fast
    /// as the endpoint takes them (no pause per file, no listing per file). 1,000 files took at least 20 s before (a
    /// 20 ms pause after each); the soak run's --drain-files measures 10,000.
    /// </summary>
    [Fact]
    public async Task ManySmallFilesGoSeveralToARequestAsFastAsTheEndpointTakesThem()
    {
        const int Files = 1000;
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var destination = TestBuffer.Destination(receiver);
        for (var i = 0; i < Files; i++)
            TestBuffer.Write(BufferPath, TestBuffer.Name(TimeSpan.FromMinutes(10), i), destination, new[] { (i, TimeSpan.FromMinutes(10)) });

        var clock = Stopwatch.StartNew();
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.BufferPath = BufferPath;
        });
        Eventually.True(() => BufferFiles().Length == 0, Deadline, "every file is sent");

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().BeEquivalentTo(Enumerable.Range(0, Files));
        receiver.Requests.Count.Should().BeLessThan(Files / 10, "several files go in one request");
        receiver.Requests.Should().OnlyContain(r => r.Body.Length <= new DynatraceSecuritySinkOptions().BatchSizeLimitBytes);
    }

    /// <summary>
    /// Events waiting on disk that near the 23-hour limit (when the endpoint is down, or the backlog drains slower than
    /// it grows) are named in SelfLog with their count and the oldest one's age, before they are dropped as too old.
    /// </summary>
    [Fact]
    public async Task EventsNearingTheAgeLimitAreNamedInSelfLog()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Outage(receiver);
        var destination = TestBuffer.Destination(receiver);
        TestBuffer.Write(BufferPath, TestBuffer.Name(TimeSpan.FromHours(21.5), 1), destination,
            new[] { (1, TimeSpan.FromHours(22)), (2, TimeSpan.FromHours(21.5)) });
        TestBuffer.Write(BufferPath, TestBuffer.Name(TimeSpan.FromHours(20.5), 2), destination, new[] { (3, TimeSpan.FromHours(20.5)) });
        TestBuffer.Write(BufferPath, TestBuffer.Name(TimeSpan.FromHours(1), 3), destination, new[] { (4, TimeSpan.FromHours(1)) });

        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.BufferPath = BufferPath;
        });

        Eventually.True(() => SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority).Any(l => l.Contains("more than 20 hours old")),
            Deadline, "the aging events are named");
        SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority).Should()
            .Contain(l => l.Contains("3 security event(s) in the durable buffer are more than 20 hours old (the oldest 22.0 h)"));
    }

    /// <summary>
    /// Events that grew too old on disk (past 23 hours) are not sent, and go where other undelivered events go: the
    /// undelivered-events file (each as stored, with its event.id), the failure listener (a stand-in holding the
    /// stored JSON), SelfLog and the metric.
    /// </summary>
    [Fact]
    public async Task EventsTooOldOnDiskReachTheUndeliveredFileAndTheListener()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var undelivered = Path.Combine(_directory.Path, "undelivered.jsonl");
        TestBuffer.Write(BufferPath, TestBuffer.Name(TimeSpan.FromHours(25), 1), TestBuffer.Destination(receiver),
            new[] { (1, TimeSpan.FromHours(25)), (2, TimeSpan.FromHours(24)), (3, TimeSpan.FromHours(1)) });

        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.BufferPath = BufferPath;
            o.UndeliveredEventsPath = undelivered;
        });
        Eventually.True(() => BufferFiles().Length == 0 && harness.Fallback.Events.Count == 2, Deadline, "the file is resolved");
        await harness.Logger.DisposeAsync(); // the undelivered-events file is complete

        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().Equal(3);
        var records = File.ReadAllLines(undelivered).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        records.Select(r => r.GetProperty("reason").GetString()).Should().Equal("too_old", "too_old");
        records.Select(r => r.GetProperty("event").GetProperty("event.id").GetString()).Should().Equal("e1", "e2");
        harness.Fallback.Events.Select(e => ((ScalarValue)e.Properties["SecurityEventJson"]).Value as string)
            .Should().Equal(TestBuffer.EventJson(1), TestBuffer.EventJson(2));
        harness.Metrics.Dropped(DropReason.TooOld).Should().Be(2);
    }

    /// <summary>
    /// A full buffer refuses every batch of an outage: SelfLog gets a summary (like the queue-full line), not a line
    /// per batch; the events still reach the failure listener.
    /// </summary>
    [Fact]
    public async Task AFullBufferIsSummarisedInSelfLogNotReportedPerBatch()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.BufferPath = BufferPath;
            o.BufferSizeLimitBytes = 1024 * 1024;
            o.BatchSizeLimit = 10;
        });
        Outage(harness.Receiver);

        harness.LogNumbered(2000, padding: new string('s', 1000));
        Eventually.True(() => harness.Metrics.Sum("events.persisted") + harness.Fallback.Events.Count == 2000, Deadline, "every event on disk or reported");
        await harness.Logger.DisposeAsync();

        harness.Fallback.Events.Count.Should().BeGreaterThan(500, "many batches found the buffer full");
        SelfLogCapture.Containing(harness.Receiver.EnvironmentUrl.Authority).Where(l => l.Contains("the durable buffer is full"))
            .Should().HaveCountLessThan(5, "a summary at most every 10 seconds, and one at disposal");
    }

    public void Dispose() => _directory.Dispose();
}
