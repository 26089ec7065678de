using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Threading.Tasks;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Sinks.OpenTelemetry;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// Sends the same events through Serilog.Sinks.Seq, Serilog.Sinks.OpenTelemetry (HTTP/protobuf) and this sink to
/// one in-process loopback receiver, next to a no-op batched sink, and measures each run from the first logging
/// call until the logger's disposal (what <c>Log.CloseAndFlush()</c> does) returns:
/// wall time, process CPU time (<see cref="Process.TotalProcessorTime"/>), bytes allocated on every thread
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>) and request body bytes received. Each sink runs <c>--warmup</c> times
/// to warm up, then <c>--repeat</c> times in a rotating order; the table shows the median of each figure. The receiver runs in the
/// same process, so its work (reading the bodies) is part of each HTTP sink's CPU time and allocations, in proportion
/// to the bytes the sink sends.
/// </summary>
static class EndToEndHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = IntArg(args, "--events", 200_000);
        var repeat = IntArg(args, "--repeat", 5);
        var batchSize = IntArg(args, "--batch-size", 1000);
        var warmUps = IntArg(args, "--warmup", 3);
        var only = StringArg(args, "--sinks");

        await using var receiver = await CountingReceiver.StartAsync();
        var sinks = Sinks(receiver, batchSize, events)
            .Where(s => only == null
                ? !s.Name.EndsWith("(no network)", StringComparison.Ordinal) && !s.Name.EndsWith("(experiment)", StringComparison.Ordinal)
                : only.Split(',').Contains(s.Name, StringComparer.OrdinalIgnoreCase))
            .ToList();

        Console.WriteLine($"End to end: {events:N0} events per run, batch size {batchSize}, {repeat} runs per sink after {warmUps} warm-up runs; " +
            $".NET {Environment.Version}, {Environment.ProcessorCount} cores, GC {(GCSettings.IsServerGC ? "server" : "workstation")}" +
            $"{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : ", concurrent")}");

        // Full-size runs first: JIT tiering (which goes on for several runs), connection pools and the GC heap settle
        // before anything is measured.
        for (var run = 0; run < warmUps; run++)
        {
            foreach (var sink in sinks)
                Console.WriteLine($"  warm-up {run + 1} {sink.Name,-18} {RunOnce(sink, receiver, events)}");
        }

        var results = sinks.ToDictionary(s => s.Name, _ => new List<RunResult>());
        for (var run = 0; run < repeat; run++)
        {
            for (var i = 0; i < sinks.Count; i++)
            {
                var sink = sinks[(i + run) % sinks.Count];
                var result = RunOnce(sink, receiver, events);
                Console.WriteLine($"  run {run + 1} {sink.Name,-18} {result}");
                results[sink.Name].Add(result);
            }
        }

        var medians = sinks.ToDictionary(s => s.Name, s => RunResult.Median(results[s.Name]));
        Console.WriteLine();
        Console.WriteLine(Table(sinks.Select(s => s.Name).ToList(), medians, events));

        var failed = results.Values.SelectMany(r => r).Count(r => !r.Complete);
        if (failed > 0)
        {
            Console.Error.WriteLine($"{failed} run(s) did not deliver every event: the figures above are not comparable.");
            return 1;
        }

        return 0;
    }

    static RunResult RunOnce(SinkUnderTest sink, CountingReceiver receiver, int events)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        receiver.Reset();

        var (logger, delivered) = sink.Create();
        var log = SampleEvents.WithContext(logger);

        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0Before = GC.CollectionCount(0);
        var gen2Before = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < events; i++)
            log.Warning(SampleEvents.Template, "alice", "203.0.113.7", i);
        logger.Dispose();

        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;

        var received = delivered?.Invoke() ?? receiver.Events;
        return new RunResult(events, clock.Elapsed, cpu, allocated, receiver.Bytes, receiver.Requests, received,
            GC.CollectionCount(0) - gen0Before, GC.CollectionCount(2) - gen2Before);
    }

    static IEnumerable<SinkUnderTest> Sinks(CountingReceiver receiver, int batchSize, int events)
    {
        var baseUrl = receiver.BaseUrl.ToString().TrimEnd('/');
        // Every queue is large enough for the whole run, so that no sink drops events when the producer outruns it.
        var queueLimit = Math.Max(events, 100_000) * 2;

        yield return new SinkUnderTest("no-op batched sink", () =>
        {
            var noop = new NoopBatchedSink();
            var logger = new LoggerConfiguration()
                .WriteTo.Sink(noop, new BatchingOptions { BatchSizeLimit = batchSize, QueueLimit = queueLimit })
                .CreateLogger();
            return (logger, () => noop.Received);
        });

        yield return new SinkUnderTest("Seq 9.1", () => (new LoggerConfiguration()
            .WriteTo.Seq(baseUrl, batchPostingLimit: batchSize, queueSizeLimit: queueLimit)
            .CreateLogger(), null));

        yield return new SinkUnderTest("OpenTelemetry 4.2", () => (new LoggerConfiguration()
            .WriteTo.OpenTelemetry(o =>
            {
                o.Endpoint = baseUrl;
                o.Protocol = OtlpProtocol.HttpProtobuf;
                o.BatchingOptions.BatchSizeLimit = batchSize;
                o.BatchingOptions.QueueLimit = queueLimit;
            }, ignoreEnvironment: true)
            .CreateLogger(), null));

        yield return new SinkUnderTest("DynatraceSecurity", () => (new LoggerConfiguration()
            .WriteTo.DynatraceSecurity(
                environmentUrl: baseUrl,
                accessToken: BenchmarkOptions.Token,
                endpoint: BenchmarkOptions.Endpoint,
                batchSizeLimit: batchSize,
                queueLimit: queueLimit,
                queueLimitBytes: 1L << 32)
            .CreateLogger(), null));

        yield return new SinkUnderTest("DynatraceSecurity (gzip)", () => (new LoggerConfiguration()
            .WriteTo.DynatraceSecurity(
                environmentUrl: baseUrl,
                accessToken: BenchmarkOptions.Token,
                endpoint: BenchmarkOptions.Endpoint,
                batchSizeLimit: batchSize,
                queueLimit: queueLimit,
                queueLimitBytes: 1L << 32,
                compression: DynatraceSecurityCompression.Gzip)
            .CreateLogger(), null));

        yield return WithoutNetwork(batchSize, queueLimit);

        yield return new SinkUnderTest("fixed-body floor", () => (new LoggerConfiguration()
            .WriteTo.Sink(new FixedBodySink(receiver.BaseUrl), new BatchingOptions { BatchSizeLimit = batchSize, QueueLimit = queueLimit })
            .CreateLogger(), null));

        yield return new SinkUnderTest("format-on-emit (experiment)", () => (new LoggerConfiguration()
            .WriteTo.Sink(new FormatOnEmitSink(receiver.BaseUrl, new BatchingOptions { BatchSizeLimit = batchSize, QueueLimit = queueLimit }))
            .CreateLogger(), null));

        yield return new SinkUnderTest("Seq 9.1 (no network)", () => (new LoggerConfiguration()
            .WriteTo.Seq("http://127.0.0.1:1", batchPostingLimit: batchSize, queueSizeLimit: queueLimit,
                messageHandler: new StatusHandler(System.Net.HttpStatusCode.Created))
            .CreateLogger(), NotCounted));
    }

    /// <summary>
    /// Not in the default set (ask for it with <c>--sinks</c>): this sink with an HTTP handler that answers 202 at once
    /// (no socket, no receiver); "Seq 9.1 (no network)" is the same for Seq. What a sink costs without the transport.
    /// </summary>
    static SinkUnderTest WithoutNetwork(int batchSize, int queueLimit) => new("DynatraceSecurity (no network)", () => (new LoggerConfiguration()
        .WriteTo.DynatraceSecurity(o =>
        {
            o.EnvironmentUrl = "http://127.0.0.1:1";
            o.AccessToken = BenchmarkOptions.Token;
            o.Endpoint = BenchmarkOptions.Endpoint;
            o.BatchSizeLimit = batchSize;
            o.QueueLimit = queueLimit;
            o.QueueLimitBytes = 1L << 32;
            o.MessageHandler = new StatusHandler(System.Net.HttpStatusCode.Accepted);
        })
        .CreateLogger(), NotCounted));

    /// <summary>For the sinks without a network: nothing counts their events (reported as not verified).</summary>
    static long NotCounted() => RunResult.NotVerified;

    static string Table(IReadOnlyList<string> names, IReadOnlyDictionary<string, RunResult> medians, int events)
    {
        const string Seq = "Seq 9.1";
        const string Noop = "no-op batched sink";
        medians.TryGetValue(Seq, out var seq);
        medians.TryGetValue(Noop, out var noop);

        var lines = new List<string>
        {
            $"Medians of each figure ({events:N0} events per run); \"above no-op\" subtracts the no-op batched sink's figure.",
            "",
            "| sink | wall time | events/s | throughput vs Seq | CPU µs/event | CPU above no-op | vs Seq (above no-op) | allocated B/event | allocated above no-op | vs Seq (above no-op) | body bytes/event | requests | GCs gen0/gen2 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };

        foreach (var name in names)
        {
            var r = medians[name];
            var cpuAbove = noop == null ? double.NaN : r.CpuMicrosecondsPerEvent - noop.CpuMicrosecondsPerEvent;
            var allocAbove = noop == null ? double.NaN : r.AllocatedPerEvent - noop.AllocatedPerEvent;
            var seqCpuAbove = seq == null || noop == null ? double.NaN : seq.CpuMicrosecondsPerEvent - noop.CpuMicrosecondsPerEvent;
            var seqAllocAbove = seq == null || noop == null ? double.NaN : seq.AllocatedPerEvent - noop.AllocatedPerEvent;
            var isNoop = name == Noop;
            lines.Add(string.Join(" | ",
                "| " + name,
                F(r.Wall.TotalMilliseconds, "N0") + " ms",
                F(r.EventsPerSecond, "N0"),
                seq == null ? "" : F(r.EventsPerSecond / seq.EventsPerSecond, "0.00") + "×",
                F(r.CpuMicrosecondsPerEvent, "0.00"),
                isNoop ? "" : F(cpuAbove, "0.00"),
                isNoop ? "" : F(cpuAbove / seqCpuAbove, "0.00") + "×",
                F(r.AllocatedPerEvent, "N0"),
                isNoop ? "" : F(allocAbove, "N0"),
                isNoop ? "" : F(allocAbove / seqAllocAbove, "0.00") + "×",
                F(r.BytesPerEvent, "0"),
                F(r.Requests, "N0"),
                $"{r.Gen0Collections}/{r.Gen2Collections} |"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    static int IntArg(string[] args, string name, int defaultValue)
    {
        var text = StringArg(args, name);
        return text == null ? defaultValue : int.Parse(text, CultureInfo.InvariantCulture);
    }

    static string? StringArg(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    sealed record SinkUnderTest(string Name, Func<(Logger Logger, Func<long>? Delivered)> Create);
}

sealed record RunResult(int Events, TimeSpan Wall, TimeSpan Cpu, long Allocated, long Bytes, long Requests, long Received,
    int Gen0Collections, int Gen2Collections)
{
    public const long NotVerified = -1;

    public bool Complete => Received == Events || Received == NotVerified;
    public double EventsPerSecond => Events / Wall.TotalSeconds;
    public double CpuMicrosecondsPerEvent => Cpu.TotalMilliseconds * 1000 / Events;
    public double AllocatedPerEvent => (double)Allocated / Events;
    public double BytesPerEvent => (double)Bytes / Events;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Wall.TotalMilliseconds,7:N0} ms  {CpuMicrosecondsPerEvent,6:0.00} µs CPU/event  {AllocatedPerEvent,7:N0} B/event  " +
        $"{BytesPerEvent,5:0} body B/event  {Requests,5} requests  {(Received == NotVerified ? "(not counted)" : Received.ToString("N0"))}/{Events:N0} delivered  GC {Gen0Collections}/{Gen2Collections}");

    /// <summary>The median of each figure on its own.</summary>
    public static RunResult Median(IReadOnlyList<RunResult> runs) => new(
        runs[0].Events,
        TimeSpan.FromTicks(Median(runs.Select(r => r.Wall.Ticks))),
        TimeSpan.FromTicks(Median(runs.Select(r => r.Cpu.Ticks))),
        Median(runs.Select(r => r.Allocated)),
        Median(runs.Select(r => r.Bytes)),
        Median(runs.Select(r => r.Requests)),
        runs.Min(r => r.Received),
        (int)Median(runs.Select(r => (long)r.Gen0Collections)),
        (int)Median(runs.Select(r => (long)r.Gen2Collections)));

    static long Median(IEnumerable<long> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
