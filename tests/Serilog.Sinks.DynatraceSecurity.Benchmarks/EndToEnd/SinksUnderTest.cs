using System;
using System.Collections.Generic;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Sinks.OpenTelemetry;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>A sink as the harness runs it: how to build a logger that writes to it, and how to count what it delivered.</summary>
sealed record SinkUnderTest(string Name, Func<(Logger Logger, Func<long>? Delivered)> Create);

/// <summary>
/// The sinks side by side: a no-op batched sink (the floor every batched sink shares), Seq, OpenTelemetry and this sink,
/// all configured for the same batch size and a queue large enough for the whole run; and, on request (<c>--sinks</c>),
/// variants that show where the cost goes.
/// </summary>
static class SinksUnderTest
{
    public static IEnumerable<SinkUnderTest> All(Uri receiverUrl, int batchSize, int events)
    {
        var baseUrl = receiverUrl.ToString().TrimEnd('/');
        // Every queue is large enough for the whole run, so that no sink drops events when the producer outruns it.
        var queueLimit = Math.Max(events, 100_000) * 2;

        // Serilog creating and dispatching each event with nothing to write it to: what logging costs the application
        // before any sink. The fairer floor in steady state, where the no-op batched sink pays Serilog's engine's
        // wake-ups (one per event arriving while a batch fills) that a sink with a loop of its own does not.
        yield return new SinkUnderTest(ResultsTable.NoSink, () => (new LoggerConfiguration().CreateLogger(), NotCounted));

        yield return new SinkUnderTest(ResultsTable.Noop, () =>
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
            .WriteTo.Sink(new FixedBodySink(receiverUrl), new BatchingOptions { BatchSizeLimit = batchSize, QueueLimit = queueLimit })
            .CreateLogger(), null));

        yield return new SinkUnderTest("on Serilog's engine (experiment)", () => (new LoggerConfiguration()
            .WriteTo.Sink(new OnSerilogsEngineSink(receiverUrl, batchSize, queueLimit))
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
}
