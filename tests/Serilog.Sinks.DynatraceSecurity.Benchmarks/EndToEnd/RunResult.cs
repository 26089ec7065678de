using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>One run of one sink: what the application process paid for it.</summary>
sealed record RunResult(int Events, TimeSpan Wall, TimeSpan Cpu, long Allocated, long Bytes, long Requests, long Received,
    int Gen0Collections, int Gen2Collections)
{
    public const long NotVerified = -1;

    /// <summary>The CPU time of the application's logging thread while it logged (its logging calls).</summary>
    public TimeSpan LoggingThreadCpu { get; init; }

    /// <summary>Context switches of the whole process (wake-ups: a thread that parks switches out).</summary>
    public long ContextSwitches { get; init; }

    /// <summary>Work items the thread pool ran.</summary>
    public long WorkItems { get; init; }

    public bool Complete => Received == Events || Received == NotVerified;
    public double EventsPerSecond => Events / Wall.TotalSeconds;
    public double CpuMicrosecondsPerEvent => Cpu.TotalMilliseconds * 1000 / Events;
    public double LoggingThreadMicrosecondsPerEvent => LoggingThreadCpu.TotalMilliseconds * 1000 / Events;
    public double AllocatedPerEvent => (double)Allocated / Events;
    public double BytesPerEvent => (double)Bytes / Events;
    public double SwitchesPerThousand => ContextSwitches * 1000.0 / Events;
    public double WorkItemsPerThousand => WorkItems * 1000.0 / Events;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Wall.TotalMilliseconds,7:N0} ms  {CpuMicrosecondsPerEvent,6:0.00} µs CPU/event ({LoggingThreadMicrosecondsPerEvent,5:0.00} logging thread)  " +
        $"{AllocatedPerEvent,7:N0} B/event  {BytesPerEvent,5:0} body B/event  {Requests,5} requests  " +
        $"{(Received == NotVerified ? "(not counted)" : Received.ToString("N0"))}/{Events:N0} delivered  GC {Gen0Collections}/{Gen2Collections}  " +
        $"{SwitchesPerThousand,5:0.0} switches, {WorkItemsPerThousand,5:0.0} work items per 1,000 events");

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
        (int)Median(runs.Select(r => (long)r.Gen2Collections)))
    {
        LoggingThreadCpu = TimeSpan.FromTicks(Median(runs.Select(r => r.LoggingThreadCpu.Ticks))),
        ContextSwitches = Median(runs.Select(r => r.ContextSwitches)),
        WorkItems = Median(runs.Select(r => r.WorkItems)),
    };

    static long Median(IEnumerable<long> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>
/// The results table: each sink's figures, above the no-op batched sink (the issue's floor: Serilog's batching engine in
/// front of a sink that does nothing) and above "no sink" (Serilog creating and dispatching the events with nothing to
/// write them to: what the application pays for logging at all), and as a share of Seq's above the same floor.
/// </summary>
static class ResultsTable
{
    public const string Seq = "Seq 9.1";
    public const string Noop = "no-op batched sink";
    public const string NoSink = "no sink";

    public static string Table(IReadOnlyList<string> names, IReadOnlyDictionary<string, RunResult> medians, int events)
    {
        medians.TryGetValue(Seq, out var seq);
        medians.TryGetValue(Noop, out var noop);
        medians.TryGetValue(NoSink, out var none);

        var lines = new List<string>
        {
            $"Medians of each figure ({events:N0} events per run); \"above no-op\" subtracts the no-op batched sink's figure, " +
            "\"above no sink\" that of Serilog with no sink; \"× Seq\" is the sink's figure above that floor over Seq's.",
            "",
            "| sink | wall time | events/s | throughput vs Seq | CPU µs/event | logging thread µs/event | CPU above no-op | × Seq | " +
            "CPU above no sink | × Seq | allocated B/event | allocated above no-op | × Seq | body bytes/event | requests | " +
            "switches per 1k events | pool work items per 1k events | GCs gen0/gen2 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        };

        foreach (var name in names)
        {
            var r = medians[name];
            var floor = name is Noop or NoSink;
            lines.Add(string.Join(" | ",
                "| " + name,
                F(r.Wall.TotalMilliseconds, "N0") + " ms",
                F(r.EventsPerSecond, "N0"),
                seq == null ? "" : F(r.EventsPerSecond / seq.EventsPerSecond, "0.00") + "×",
                F(r.CpuMicrosecondsPerEvent, "0.00"),
                F(r.LoggingThreadMicrosecondsPerEvent, "0.00"),
                floor ? "" : Above(r, noop, x => x.CpuMicrosecondsPerEvent, "0.00"),
                floor ? "" : Ratio(r, seq, noop, x => x.CpuMicrosecondsPerEvent),
                floor ? "" : Above(r, none, x => x.CpuMicrosecondsPerEvent, "0.00"),
                floor ? "" : Ratio(r, seq, none, x => x.CpuMicrosecondsPerEvent),
                F(r.AllocatedPerEvent, "N0"),
                floor ? "" : Above(r, noop, x => x.AllocatedPerEvent, "N0"),
                floor ? "" : Ratio(r, seq, noop, x => x.AllocatedPerEvent),
                F(r.BytesPerEvent, "0"),
                F(r.Requests, "N0"),
                F(r.SwitchesPerThousand, "0.0"),
                F(r.WorkItemsPerThousand, "0.0"),
                $"{r.Gen0Collections}/{r.Gen2Collections} |"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    static string Above(RunResult r, RunResult? floor, Func<RunResult, double> figure, string format) =>
        floor == null ? "" : F(figure(r) - figure(floor), format);

    static string Ratio(RunResult r, RunResult? seq, RunResult? floor, Func<RunResult, double> figure) =>
        seq == null || floor == null ? "" : F((figure(r) - figure(floor)) / (figure(seq) - figure(floor)), "0.00") + "×";

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
