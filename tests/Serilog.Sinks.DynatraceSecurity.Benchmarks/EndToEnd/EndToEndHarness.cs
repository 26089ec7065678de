using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// Sends the same events through Serilog.Sinks.Seq, Serilog.Sinks.OpenTelemetry (HTTP/protobuf) and this sink to one
/// loopback receiver, next to two floors (Serilog with no sink, and a no-op batched sink), and measures what the
/// application process pays for each run, from the first logging call until the logger's disposal (what
/// <c>Log.CloseAndFlush()</c> does) returns: wall time, process CPU time and context switches (<see cref="ResourceUsage"/>),
/// the CPU time of the application's logging thread (a thread of its own, so the thread pool is the sinks'), work items
/// the thread pool ran, bytes allocated on every thread (<see cref="GC.GetTotalAllocatedBytes(bool)"/>) and request body
/// bytes received. The receiver runs in a process of
/// its own (<see cref="ReceiverProcess"/>), so its work is not counted against any sink; <c>--in-process</c> runs it
/// inside the measured process instead, as earlier versions of this harness did (labelled as such).
/// Two workloads: flat out, and a steady rate (<c>--rate</c>, 20,000 events/s by default); <c>--mode</c> picks one.
/// Each sink runs <c>--warmup</c> times, then <c>--repeat</c> times in a rotating order; the table shows medians.
/// </summary>
static class EndToEndHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var events = IntArg(args, "--events", 200_000);
        var repeat = IntArg(args, "--repeat", 5);
        var batchSize = IntArg(args, "--batch-size", 1000);
        var warmUps = IntArg(args, "--warmup", 3);
        var rate = IntArg(args, "--rate", 20_000);
        var mode = StringArg(args, "--mode") ?? "both";
        var only = StringArg(args, "--sinks");
        var inProcess = Array.IndexOf(args, "--in-process") >= 0;

        await using IReceiver receiver = inProcess ? await CountingReceiver.StartAsync() : await ReceiverProcess.StartAsync();
        var sinks = SinksUnderTest.All(receiver.BaseUrl, batchSize, events)
            .Where(s => only == null
                ? !s.Name.EndsWith("(no network)", StringComparison.Ordinal) && !s.Name.EndsWith("(experiment)", StringComparison.Ordinal)
                : only.Split(',').Contains(s.Name, StringComparer.OrdinalIgnoreCase))
            .ToList();

        var workloads = new List<Workload>();
        if (mode is "both" or "burst")
            workloads.Add(Workload.Burst(events));
        if (mode is "both" or "steady")
            workloads.Add(Workload.Steady(events, rate));

        Console.WriteLine($"End to end: {events:N0} events per run, batch size {batchSize}, {repeat} runs per sink after {warmUps} warm-up runs; " +
            $"receiver {(inProcess ? "IN THE MEASURED PROCESS" : "in its own process")}; .NET {Environment.Version}, {Environment.ProcessorCount} cores, " +
            $"GC {(GCSettings.IsServerGC ? "server" : "workstation")}{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : ", concurrent")}");

        var failed = 0;
        foreach (var workload in workloads)
            failed += await MeasureAsync(workload, sinks, receiver, warmUps, repeat);

        if (failed > 0)
        {
            Console.Error.WriteLine($"{failed} run(s) did not deliver every event: the figures above are not comparable.");
            return 1;
        }

        return 0;
    }

    static async Task<int> MeasureAsync(Workload workload, IReadOnlyList<SinkUnderTest> sinks, IReceiver receiver, int warmUps, int repeat)
    {
        Console.WriteLine();
        Console.WriteLine($"## {workload.Name}");
        // Full-size runs first: JIT tiering (which goes on for several runs), connection pools and the GC heap settle
        // before anything is measured.
        for (var run = 0; run < warmUps; run++)
        {
            foreach (var sink in sinks)
                Console.WriteLine($"  warm-up {run + 1} {sink.Name,-28} {await RunOnceAsync(sink, receiver, workload)}");
        }

        var results = sinks.ToDictionary(s => s.Name, _ => new List<RunResult>());
        for (var run = 0; run < repeat; run++)
        {
            for (var i = 0; i < sinks.Count; i++)
            {
                var sink = sinks[(i + run) % sinks.Count];
                var result = await RunOnceAsync(sink, receiver, workload);
                Console.WriteLine($"  run {run + 1} {sink.Name,-28} {result}");
                results[sink.Name].Add(result);
            }
        }

        var medians = sinks.ToDictionary(s => s.Name, s => RunResult.Median(results[s.Name]));
        Console.WriteLine();
        Console.WriteLine(ResultsTable.Table(sinks.Select(s => s.Name).ToList(), medians, workload.Events));
        return results.Values.SelectMany(r => r).Count(r => !r.Complete);
    }

    static async Task<RunResult> RunOnceAsync(SinkUnderTest sink, IReceiver receiver, Workload workload)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        await receiver.ResetAsync();

        var (logger, delivered) = sink.Create();
        var log = SampleEvents.WithContext(logger);

        var processBefore = ResourceUsage.OfProcess();
        var workItemsBefore = ThreadPool.CompletedWorkItemCount;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0Before = GC.CollectionCount(0);
        var gen2Before = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();

        // The application's own thread logs, then disposes of the logger (what Log.CloseAndFlush() does at exit); the
        // thread pool is left to the sinks, and this thread's CPU time is what the logging calls cost.
        var loggingThread = await OnOwnThreadAsync(() =>
        {
            var before = ResourceUsage.OfThread();
            workload.Run(log);
            var usage = ResourceUsage.OfThread() - before;
            logger.Dispose();
            return usage;
        });

        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var process = ResourceUsage.OfProcess() - processBefore;
        var workItems = ThreadPool.CompletedWorkItemCount - workItemsBefore;

        var counts = await receiver.CountsAsync();
        var received = delivered?.Invoke() ?? counts.Events;
        return new RunResult(workload.Events, clock.Elapsed, process.Cpu, allocated, counts.Bytes, counts.Requests, received,
            GC.CollectionCount(0) - gen0Before, GC.CollectionCount(2) - gen2Before)
        {
            LoggingThreadCpu = loggingThread.Cpu,
            ContextSwitches = process.ContextSwitches,
            WorkItems = workItems,
        };
    }

    static Task<T> OnOwnThreadAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { Name = "application", IsBackground = true };
        thread.Start();
        return done.Task;
    }

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
}
