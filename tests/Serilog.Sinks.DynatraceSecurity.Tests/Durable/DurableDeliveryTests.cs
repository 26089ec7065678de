using System;
using System.IO;
using System.Linq;
using System.Text;
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
/// <c>bufferPath</c> over loopback HTTP: outages longer than <c>retryTimeLimit</c>, restarts and shared directories
/// lose nothing; damaged files are never sent and never stop delivery. In the timing collection: disposal during an
/// outage has an upper bound, and the outages are measured against a 200 ms retry time limit.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class DurableDeliveryTests : IDisposable
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

    static void Outage(DynatraceIngestReceiver receiver)
    {
        for (var i = 0; i < 10_000; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(503));
    }

    static void Recover(DynatraceIngestReceiver receiver) => receiver.ClearScriptedResponses();

    string[] BufferFiles() => Directory.Exists(BufferPath) ? Directory.GetFiles(BufferPath, "*.dtsb") : Array.Empty<string>();

    [Fact]
    public async Task AnOutageLongerThanTheRetryTimeLimitLosesNothing()
    {
        await using var harness = await SinkHarness.StartAsync(Durable());
        Outage(harness.Receiver);

        harness.LogNumbered(50);
        Eventually.True(() => harness.Metrics.Sum("events.persisted") == 50, Deadline, "every event waits on disk");
        Eventually.True(() => harness.Receiver.Requests.Count > 3 &&
                              DateTimeOffset.UtcNow - harness.Receiver.Requests[0].ReceivedAt > TimeSpan.FromMilliseconds(600),
            Deadline, "the outage outlasts retryTimeLimit (200 ms) several times over, the buffer probed meanwhile");
        Recover(harness.Receiver);

        await harness.Receiver.WaitForEventsAsync(50, Deadline);
        Eventually.True(() => BufferFiles().Length == 0, Deadline, "delivered files are deleted");
        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(0, 50));
        harness.Receiver.Events.Select(e => e.GetString("event.id")).Should().OnlyHaveUniqueItems();
        harness.Fallback.Events.Should().BeEmpty("nothing is reported: it waited on disk");
        harness.Metrics.Sum("events.replayed").Should().Be(50);
    }

    [Fact]
    public async Task WhatDisposalLeavesIsDeliveredByTheNextLoggerWithTheSameBuffer()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Outage(receiver);
        var first = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));
        first.LogNumbered(30);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await first.Logger.DisposeAsync();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "disposal stays bounded during an outage");
        first.Fallback.Events.Should().BeEmpty("what was not delivered waits on disk, it is not lost");
        BufferFiles().Should().NotBeEmpty();

        Recover(receiver);
        receiver.Clear();
        await using var second = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));

        await receiver.WaitForEventsAsync(30, Deadline);
        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().BeEquivalentTo(Enumerable.Range(0, 30));
        second.Fallback.Events.Should().BeEmpty();
        await first.Receiver.DisposeAsync();
    }

    [Fact]
    public async Task TwoLoggersSharingABufferDeliverEveryEventOnce()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Outage(receiver);
        await using var one = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));
        await using var two = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));

        for (var i = 0; i < 40; i++)
        {
            one.Security().Warning("Event {N}", i);
            two.Security().Warning("Event {N}", 1000 + i);
        }

        Eventually.True(() => one.Metrics.Sum("events.persisted") == 40 && two.Metrics.Sum("events.persisted") == 40, Deadline, "all on disk");
        Recover(receiver);

        await receiver.WaitForEventsAsync(80, Deadline);
        Eventually.True(() => BufferFiles().Length == 0, Deadline, "every file is sent and deleted");
        receiver.Events.Select(e => e.GetString("event.id")).Should().OnlyHaveUniqueItems("each file is sent by one of them only");
        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32())
            .Should().BeEquivalentTo(Enumerable.Range(0, 40).Concat(Enumerable.Range(1000, 40)));
    }

    [Fact]
    public async Task DamagedFilesAreNeverSentAndDoNotStopTheRest()
    {
        // A good file left by an earlier logger (of the same destination), and a tampered copy of it.
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Outage(receiver);
        await using (var earlier = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString())))
        {
            earlier.LogNumbered(5);
            Eventually.True(() => earlier.Metrics.Sum("events.persisted") == 5, Deadline, "on disk");
        }

        var good = BufferFiles().OrderBy(f => f, StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(good);
        var tampered = (byte[])bytes.Clone();
        tampered[^5] ^= 0x20;
        File.WriteAllBytes(Path.Combine(BufferPath, "0000000000000000001-tampered.dtsb"), tampered);
        File.WriteAllBytes(Path.Combine(BufferPath, "0000000000000000002-half.dtsb"), bytes.AsSpan(0, bytes.Length / 2).ToArray());
        File.WriteAllText(Path.Combine(BufferPath, "0000000000000000003-garbage.dtsb"), "not a buffer file at all");
        File.WriteAllText(Path.Combine(BufferPath, ".abandoned.dtsb.tmp"), "{\"format\":1");

        Recover(receiver);
        receiver.Clear();
        await using var harness = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));

        Eventually.True(() => BufferFiles().Length == 0, Deadline, "the good files are sent, the others moved aside");
        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().BeEquivalentTo(Enumerable.Range(0, 5), "only whole files are sent, once");
        Directory.GetFiles(Path.Combine(BufferPath, "damaged")).Select(Path.GetFileName)
            .Should().BeEquivalentTo("0000000000000000001-tampered.dtsb", "0000000000000000002-half.dtsb", "0000000000000000003-garbage.dtsb");
        File.Exists(Path.Combine(BufferPath, ".abandoned.dtsb.tmp")).Should().BeFalse("an abandoned temporary file is discarded");
        SelfLogCapture.Containing("0000000000000000001-tampered.dtsb").Should().Contain(l => l.Contains("checksum"));
    }

    [Fact]
    public async Task TheSizeLimitHoldsAndWhatDoesNotFitIsReportedWithItsEvents()
    {
        await using var harness = await SinkHarness.StartAsync(Durable(o => o.BufferSizeLimitBytes = 1024 * 1024));
        Outage(harness.Receiver);

        harness.LogNumbered(2000, padding: new string('s', 1000));
        Eventually.True(() => harness.Metrics.Sum("events.persisted") + harness.Fallback.Events.Count == 2000, Deadline, "every event on disk or reported");

        var onDisk = BufferFiles().Sum(f => new FileInfo(f).Length);
        var largestFile = BufferFiles().Max(f => new FileInfo(f).Length);
        onDisk.Should().BeLessThanOrEqualTo(1024 * 1024 + largestFile, "the buffer stays within its limit plus one file");
        harness.Metrics.Dropped(DropReason.BufferFull).Should().Be(harness.Fallback.Events.Count).And.BeGreaterThan(0);
        SelfLogCapture.Containing(harness.Receiver.EnvironmentUrl.Authority).Should().Contain(l => l.Contains("the durable buffer is full"));
    }

    [Fact]
    public async Task ARejectedEventInABufferedFileIsKeptAsideAndTheRestDelivered()
    {
        var receiverOptions = new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.GetProperty("N").GetInt32() == 3 ? "attribute N has a forbidden value" : null,
        };
        await using var harness = await SinkHarness.StartAsync(Durable(), receiverOptions);
        Outage(harness.Receiver);
        harness.LogNumbered(8);
        Eventually.True(() => harness.Metrics.Sum("events.persisted") == 8, Deadline, "on disk");
        Recover(harness.Receiver);

        Eventually.True(() => BufferFiles().Length == 0 && harness.Receiver.Events.Count == 7, Deadline, "replayed");
        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(0, 8).Where(n => n != 3));
        var rejected = Directory.GetFiles(Path.Combine(BufferPath, "rejected")).Select(File.ReadAllText).Single();
        rejected.Should().Contain("\"N\":3");
        harness.Metrics.Dropped(DropReason.Rejected).Should().Be(1);
    }

    [Fact]
    public async Task EventsThatAgedPastDynatracesWindowOnDiskAreReportedNotSent()
    {
        // A file left by a run a day ago: two events too old for Dynatrace, one still in time.
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Directory.CreateDirectory(BufferPath);
        using (var batch = new FormattedBatch())
        using (var body = new PooledBufferWriter())
        using (var file = File.Create(Path.Combine(BufferPath, "0000000000000000001-old.dtsb")))
        {
            var now = DateTimeOffset.UtcNow;
            batch.Add(null, now.AddHours(-25), Encoding.UTF8.GetBytes("{\"N\":1}"));
            batch.Add(null, now.AddHours(-23.5), Encoding.UTF8.GetBytes("{\"N\":2}"));
            batch.Add(null, now.AddHours(-1), Encoding.UTF8.GetBytes("{\"N\":3,\"event.id\":\"e3\",\"event.provider\":\"p\",\"finding.type\":\"t\",\"finding.id\":\"e3\",\"finding.time.created\":\"x\",\"finding.title\":\"t\",\"dt.security.risk.level\":\"LOW\",\"object.id\":\"o\",\"object.type\":\"PROCESS\"}"));
            BufferFile.Write(file, Support.TestBuffer.Destination(receiver), batch, EventSet.Range(0, 3), body);
        }

        await using var harness = await SinkHarness.StartAsync(Durable(o => o.EnvironmentUrl = receiver.EnvironmentUrl.ToString()));

        Eventually.True(() => BufferFiles().Length == 0, Deadline, "the file is resolved");
        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().Equal(3);
        harness.Metrics.Dropped(DropReason.TooOld).Should().Be(2);
        SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority)
            .Should().Contain(l => l.Contains("older than 23 hours") && l.Contains("2 security event(s) from the durable buffer dropped"));
    }

    [Fact]
    public void ABufferPathThatCannotBeWrittenFailsAtConfiguration()
    {
        var file = _directory.Write("a-file", "");
        var act = () => new LoggerConfiguration().WriteTo.DynatraceSecurity(o =>
        {
            o.EnvironmentUrl = "https://abc12345.live.dynatrace.com";
            o.AccessToken = TestOptions.ClassicToken;
            o.BufferPath = Path.Combine(file, "buffer");
        });

        act.Should().Throw<ArgumentException>().WithMessage("*cannot be created or written*").Which.ParamName.Should().Be("BufferPath");
    }

    public void Dispose() => _directory.Dispose();
}
