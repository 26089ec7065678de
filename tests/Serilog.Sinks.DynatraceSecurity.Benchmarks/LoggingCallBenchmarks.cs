using System;
using System.Diagnostics;
using System.Net;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks;

/// <summary>
/// The logging call, from <c>logger.Warning(...)</c> until the event is queued (or ignored), for a marked and an
/// unmarked event with the representative event's template and properties: Serilog with no sink (the baseline of
/// each category), Serilog with a no-op batched sink (<c>WriteTo.Sink(batchedSink, batchingOptions)</c>) and this
/// sink (its HTTP handler answers 202 at once, so the background delivery loop formats and "sends" without a network).
/// Each iteration logs <see cref="Calls"/> events; between iterations (not measured) the background work is drained so
/// that no iteration starts with a backlog.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LoggingCallBenchmarks
{
    public const int Calls = 100_000;

    Logger _noSinkRoot = null!;
    Logger _emptySinkRoot = null!;
    ILogger _emptySinkUnmarked = null!;
    Logger _noopRoot = null!;
    Logger _oursRoot = null!;
    ILogger _noSinkMarked = null!, _noSinkUnmarked = null!;
    ILogger _noopMarked = null!, _noopUnmarked = null!;
    ILogger _oursMarked = null!, _oursUnmarked = null!;
    NoopBatchedSink _noop = null!;
    SecurityEventFrontSink _ours = null!;
    long _noopExpected;
    long _oursExpected;
    ResolvedEvents _oursResolved = null!;

    [GlobalSetup]
    public void Setup()
    {
        _noSinkRoot = new LoggerConfiguration().MinimumLevel.Verbose().CreateLogger();
        _emptySinkRoot = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(new EmptySink()).CreateLogger();
        _emptySinkUnmarked = SampleEvents.WithContext(_emptySinkRoot, marked: false);

        _noop = new NoopBatchedSink();
        _noopRoot = new LoggerConfiguration().MinimumLevel.Verbose()
            .WriteTo.Sink(_noop, new BatchingOptions { BatchSizeLimit = 1000, QueueLimit = null })
            .CreateLogger();

        var options = BenchmarkOptions.Create("http://127.0.0.1:1");
        options.MessageHandler = new StatusHandler(HttpStatusCode.Accepted);
        options.QueueLimit = 10_000_000;
        options.QueueLimitBytes = 4L * 1024 * 1024 * 1024;
        // Exactly what WriteTo.DynatraceSecurity(...) adds, kept here to wait for its queue between iterations.
        _ours = new SecurityEventFrontSink(SinkSettings.From(options));
        _oursRoot = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(_ours).CreateLogger();
        _oursResolved = new ResolvedEvents(_ours.Statistics.Meter);

        _noSinkMarked = SampleEvents.WithContext(_noSinkRoot);
        _noSinkUnmarked = SampleEvents.WithContext(_noSinkRoot, marked: false);
        _noopMarked = SampleEvents.WithContext(_noopRoot);
        _noopUnmarked = SampleEvents.WithContext(_noopRoot, marked: false);
        _oursMarked = SampleEvents.WithContext(_oursRoot);
        _oursUnmarked = SampleEvents.WithContext(_oursRoot, marked: false);
    }

    [IterationCleanup]
    public void Drain()
    {
        var deadline = Stopwatch.StartNew();
        while ((_noop.Received < _noopExpected || _oursResolved.Sent + _oursResolved.Dropped < _oursExpected) && deadline.Elapsed < TimeSpan.FromMinutes(1))
            Thread.Sleep(1);
        if (_oursResolved.Dropped != 0)
            throw new InvalidOperationException("The sink dropped events: " + _oursResolved.Dropped);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _noSinkRoot.Dispose();
        _emptySinkRoot.Dispose();
        _noopRoot.Dispose();
        _oursRoot.Dispose();
        _oursResolved.Dispose();
    }

    [BenchmarkCategory("Marked"), Benchmark(Baseline = true, OperationsPerInvoke = Calls), InvocationCount(1)]
    public void Marked_NoSink() => Log(_noSinkMarked);

    [BenchmarkCategory("Marked"), Benchmark(OperationsPerInvoke = Calls), InvocationCount(1)]
    public void Marked_NoopBatchedSink()
    {
        _noopExpected += Calls;
        Log(_noopMarked);
    }

    [BenchmarkCategory("Marked"), Benchmark(OperationsPerInvoke = Calls), InvocationCount(1)]
    public void Marked_DynatraceSecurity()
    {
        _oursExpected += Calls;
        Log(_oursMarked);
    }

    [BenchmarkCategory("Unmarked"), Benchmark(Baseline = true, OperationsPerInvoke = Calls), InvocationCount(1)]
    public void Unmarked_NoSink() => Log(_noSinkUnmarked);

    [BenchmarkCategory("Unmarked"), Benchmark(OperationsPerInvoke = Calls), InvocationCount(1)]
    public void Unmarked_NoopBatchedSink()
    {
        _noopExpected += Calls;
        Log(_noopUnmarked);
    }

    [BenchmarkCategory("Unmarked"), Benchmark(OperationsPerInvoke = Calls), InvocationCount(1)]
    public void Unmarked_DynatraceSecurity() => Log(_oursUnmarked);

    static void Log(ILogger logger)
    {
        for (var i = 0; i < Calls; i++)
            logger.Warning(SampleEvents.Template, "alice", "203.0.113.7", i);
    }

    /// <summary>
    /// The loggers of the six cases (and a seventh: Serilog with a sink whose <c>Emit</c> returns at once, the least any
    /// sink can cost an unmarked call), for <see cref="ProfilingLoop"/>'s comparison in bursts of any size
    /// (<see cref="Burst"/>); <see cref="ExpectNoop"/> tells <see cref="Drain"/> how many events the no-op sink gets.
    /// </summary>
    internal (string Name, ILogger Logger, bool Noop)[] Cases() => new (string, ILogger, bool)[]
    {
        ("unmarked, no sink", _noSinkUnmarked, false),
        ("unmarked, no-op batched sink", _noopUnmarked, true),
        ("unmarked, DynatraceSecurity", _oursUnmarked, false),
        ("marked, no sink", _noSinkMarked, false),
        ("marked, no-op batched sink", _noopMarked, true),
        ("marked, DynatraceSecurity", _oursMarked, false),
        ("unmarked, empty sink", _emptySinkUnmarked, false),
    };

    internal void ExpectNoop(int events) => _noopExpected += events;

    internal static void Burst(ILogger logger, int calls)
    {
        for (var i = 0; i < calls; i++)
            logger.Warning(SampleEvents.Template, "alice", "203.0.113.7", i);
    }

    /// <summary>A sink that does nothing: what Serilog's dispatch to one sink costs.</summary>
    sealed class EmptySink : ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent logEvent)
        {
        }
    }
}
