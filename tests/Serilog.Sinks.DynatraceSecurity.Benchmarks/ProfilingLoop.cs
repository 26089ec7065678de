using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks;

/// <summary>
/// <c>--profile-loop formatting|batch|scopes|exception|call-... [seconds]</c>: runs one benchmark body in a loop for a
/// while, so that a sampling profiler (<c>perf record</c>, <c>dotnet-trace</c>) sees it at steady state without
/// BenchmarkDotNet around it; <c>call-compare</c> alternates the logging-call cases (see
/// <see cref="CompareLoggingCalls"/>). With <c>--count</c>, the number is a count of calls, not seconds.
/// </summary>
static class ProfilingLoop
{
    public static int Run(string[] args)
    {
        var index = Array.IndexOf(args, "--profile-loop");
        var what = index + 1 < args.Length ? args[index + 1] : "formatting";
        var seconds = index + 2 < args.Length ? double.Parse(args[index + 2], CultureInfo.InvariantCulture) : 10;

        if (what == "call-compare")
            return CompareLoggingCalls(seconds, index + 3 < args.Length ? int.Parse(args[index + 3], CultureInfo.InvariantCulture) : 1000);
        if (what.StartsWith("call-", StringComparison.Ordinal))
            return RunLoggingCall(what, seconds);
        if (what == "batch-wait")
            return RunBatchWaits((int)seconds);

        var benchmarks = new FormattingBenchmarks();
        benchmarks.Setup();
        Func<int> body = what switch
        {
            "batch" => benchmarks.Batch_Representative,
            "scopes" => benchmarks.WithScopes,
            "exception" => benchmarks.WithException,
            _ => benchmarks.Representative,
        };
        var perCall = what == "batch" ? 1000 : 1;

        if (Array.IndexOf(args, "--count") >= 0)
        {
            // A fixed number of calls instead of a time: for instruction counts (valgrind --tool=callgrind), which are
            // repeatable only for the same work. Two counts subtracted give the instructions per event without startup.
            var count = (long)seconds;
            for (long i = 0; i < count; i++)
                body();
            Console.WriteLine($"{what}: {count * perCall:N0} events");
            benchmarks.Cleanup();
            return 0;
        }

        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
                body();
            calls += 1000;
        }

        Console.WriteLine($"{what}: {clock.Elapsed.TotalMilliseconds * 1e6 / (calls * perCall):0} ns per event ({calls * perCall:N0} events)");
        benchmarks.Cleanup();
        return 0;
    }

    /// <summary>
    /// <c>call-compare [seconds] [burst]</c>: the six logging-call cases in alternating bursts of <c>burst</c> calls
    /// (default 1,000: what the sink's delivery loop formats between two bursts, so that no backlog builds up) in one
    /// process, in a new random order each round, waiting for the background work between bursts, so that a slower or
    /// faster moment of the machine hits every case alike; prints the median time per call of each case and the ratios.
    /// </summary>
    static int CompareLoggingCalls(double seconds, int burst)
    {
        var benchmarks = new LoggingCallBenchmarks();
        benchmarks.Setup();
        var cases = benchmarks.Cases();
        var samples = cases.Select(_ => new List<double>()).ToArray();
        var clock = Stopwatch.StartNew();
        var order = Enumerable.Range(0, cases.Length).ToArray();
        var random = new Random(1);
        for (var round = 0; clock.Elapsed.TotalSeconds < seconds || round < 5; round++)
        {
            // A new order each round, so that no case always follows the same one.
            for (var j = order.Length - 1; j > 0; j--)
            {
                var k = random.Next(j + 1);
                (order[j], order[k]) = (order[k], order[j]);
            }

            foreach (var i in order)
            {
                if (cases[i].Noop)
                    benchmarks.ExpectNoop(burst);
                var started = Stopwatch.GetTimestamp();
                LoggingCallBenchmarks.Burst(cases[i].Logger, burst);
                samples[i].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1e6 / burst);
                benchmarks.Drain();
            }
        }

        var medians = samples.Select(Median).ToArray();
        Console.WriteLine($"Bursts of {burst:N0} calls, {samples[0].Count} per case, background work drained between bursts:");
        for (var i = 0; i < cases.Length; i++)
            Console.WriteLine($"  {cases[i].Name,-30} {medians[i],7:0.0} ns per call (median)");
        Console.WriteLine($"  unmarked: DynatraceSecurity / no sink = {medians[2] / medians[0]:0.000}; " +
            $"empty sink / no sink = {medians[6] / medians[0]:0.000}; DynatraceSecurity / empty sink = {medians[2] / medians[6]:0.000}");
        Console.WriteLine($"  marked: DynatraceSecurity / no sink = {medians[5] / medians[3]:0.000}; " +
            $"DynatraceSecurity - no-op batched sink = {medians[5] - medians[4]:0} ns per call");
        benchmarks.Cleanup();
        return 0;
    }

    static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>
    /// <c>batch-wait N</c>: the delivery loop's wait for a full batch, N times: the wait starts, 1,000 events are added
    /// (the last one completes it), the batch is taken. Prints the process's CPU time per batch (the wake-up, the timer
    /// and what ending the wait costs; the adds, with their size estimate, are the same in every build).
    /// </summary>
    static int RunBatchWaits(int batches)
    {
        var queue = new Pipeline.EventQueue(1000, int.MaxValue, long.MaxValue);
        var logEvent = SampleEvents.Representative();
        var batch = new List<Events.LogEvent>(1000);
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var workItems = System.Threading.ThreadPool.CompletedWorkItemCount;
        for (var b = 0; b < batches; b++)
        {
            var wait = queue.WaitForBatchAsync(TimeSpan.FromSeconds(10), TimeProvider.System, System.Threading.CancellationToken.None);
            for (var i = 0; i < 1000; i++)
                queue.TryAdd(logEvent);
            wait.GetAwaiter().GetResult();
            batch.Clear();
            var bytes = queue.Take(batch, 1000);
            queue.Release(batch.Count, bytes);
        }

        process.Refresh();
        Console.WriteLine($"batch-wait: {(process.TotalProcessorTime - cpu).TotalMilliseconds * 1000 / batches:0.0} µs CPU per batch, " +
            $"{(double)(System.Threading.ThreadPool.CompletedWorkItemCount - workItems) / batches:0.00} work items per batch ({batches:N0} batches)");
        return 0;
    }

    /// <summary><c>call-unmarked-nosink</c>, <c>call-unmarked-ours</c>, <c>call-marked-ours</c>...: one logging-call benchmark.</summary>
    static int RunLoggingCall(string what, double seconds)
    {
        var benchmarks = new LoggingCallBenchmarks();
        benchmarks.Setup();
        Action body = what switch
        {
            "call-unmarked-nosink" => benchmarks.Unmarked_NoSink,
            "call-unmarked-noop" => benchmarks.Unmarked_NoopBatchedSink,
            "call-unmarked-ours" => benchmarks.Unmarked_DynatraceSecurity,
            "call-marked-nosink" => benchmarks.Marked_NoSink,
            "call-marked-noop" => benchmarks.Marked_NoopBatchedSink,
            _ => benchmarks.Marked_DynatraceSecurity,
        };

        var clock = Stopwatch.StartNew();
        long calls = 0;
        var measured = TimeSpan.Zero;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var started = clock.Elapsed;
            body();
            measured += clock.Elapsed - started;
            calls += LoggingCallBenchmarks.Calls;
            benchmarks.Drain();
        }

        Console.WriteLine($"{what}: {measured.TotalMilliseconds * 1e6 / calls:0} ns per call ({calls:N0} calls)");
        benchmarks.Cleanup();
        return 0;
    }
}
