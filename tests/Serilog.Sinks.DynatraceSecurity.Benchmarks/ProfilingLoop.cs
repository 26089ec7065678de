using System;
using System.Diagnostics;
using System.Globalization;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks;

/// <summary>
/// <c>--profile-loop formatting|batch|scopes [seconds]</c>: runs one benchmark body in a loop for a while, so that a
/// sampling profiler (<c>perf record</c>, <c>dotnet-trace</c>) sees it at steady state without BenchmarkDotNet around it.
/// </summary>
static class ProfilingLoop
{
    public static int Run(string[] args)
    {
        var index = Array.IndexOf(args, "--profile-loop");
        var what = index + 1 < args.Length ? args[index + 1] : "formatting";
        var seconds = index + 2 < args.Length ? double.Parse(args[index + 2], CultureInfo.InvariantCulture) : 10;

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
}
