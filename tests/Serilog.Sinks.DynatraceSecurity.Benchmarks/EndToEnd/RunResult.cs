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

/// <summary>The results table, with each sink's figures above the no-op batched sink and as a share of Seq's.</summary>
static class ResultsTable
{
    public static string Table(IReadOnlyList<string> names, IReadOnlyDictionary<string, RunResult> medians, int events)
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
}
