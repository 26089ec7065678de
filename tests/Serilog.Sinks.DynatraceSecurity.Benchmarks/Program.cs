// Benchmarks of Serilog.Sinks.DynatraceSecurity (not part of the default test run). docs/benchmarks.md has the results.
//
//   dotnet run -c Release --project tests/Serilog.Sinks.DynatraceSecurity.Benchmarks -- --filter '*'
//       BenchmarkDotNet: formatting one event (FormattingBenchmarks) and the logging call (LoggingCallBenchmarks);
//       any BenchmarkDotNet option works (--filter '*Formatting*', --job short, --job dry).
//
//   dotnet run -c Release --project tests/Serilog.Sinks.DynatraceSecurity.Benchmarks -- --end-to-end
//       [--mode both|burst|steady] [--rate 20000] [--events 200000] [--repeat 5] [--warmup 3] [--batch-size 1000]
//       [--sinks "Seq 9.1,DynatraceSecurity"] [--in-process]
//       Seq, OpenTelemetry and this sink side by side against one loopback receiver in another process, next to a
//       no-op batched sink; flat out and at a steady rate; the CPU of this (the application's) process only.
//
//   dotnet run -c Release --project tests/Serilog.Sinks.DynatraceSecurity.Benchmarks -- --profile-loop formatting 10
//       One formatting benchmark in a loop (formatting, scopes, exception or batch), to run under a profiler.

using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;
using Serilog.Sinks.DynatraceSecurity.Benchmarks;
using Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

if (Array.IndexOf(args, "--profile-loop") >= 0)
    return ProfilingLoop.Run(args);

if (Array.IndexOf(args, "--receiver") >= 0)
    return await ReceiverProcess.RunChildAsync();

if (Array.IndexOf(args, "--end-to-end") >= 0)
    return await EndToEndHarness.RunAsync(args);

BenchmarkSwitcher.FromAssembly(typeof(FormattingBenchmarks).Assembly).Run(args);
return 0;
