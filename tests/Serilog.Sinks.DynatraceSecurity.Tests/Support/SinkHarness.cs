using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>
/// A real logger writing through the sink to a real local receiver over loopback HTTP, with a fallback sink behind
/// it (<c>WriteTo.FallbackChain</c>) that collects every event the sink reports as not delivered.
/// </summary>
sealed class SinkHarness : IAsyncDisposable
{
    SinkHarness(DynatraceIngestReceiver receiver, SecurityEventFrontSink sink, Logger logger, CollectingSink fallback)
    {
        Metrics = new SinkMetrics(sink.Statistics.Meter);
        Receiver = receiver;
        Sink = sink;
        Logger = logger;
        Fallback = fallback;
    }

    public DynatraceIngestReceiver Receiver { get; }
    public SecurityEventFrontSink Sink { get; }
    public Logger Logger { get; }
    public CollectingSink Fallback { get; }

    /// <summary>The sink's published metrics, read from the moment the harness started.</summary>
    public SinkMetrics Metrics { get; }

    /// <summary>Backoff short enough for tests that retry over real HTTP.</summary>
    public static readonly Backoff QuickBackoff = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100));

    /// <summary>Backoff long enough that a test sees shutdown cut it short.</summary>
    public static readonly Backoff SlowBackoff = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    public static async Task<SinkHarness> StartAsync(
        Action<DynatraceSecuritySinkOptions>? configure = null,
        DynatraceIngestReceiverOptions? receiverOptions = null,
        Backoff? backoff = null,
        TimeProvider? time = null)
    {
        var receiver = await DynatraceIngestReceiver.StartAsync(receiverOptions);
        var options = new DynatraceSecuritySinkOptions
        {
            EnvironmentUrl = receiver.EnvironmentUrl.ToString(),
            AccessToken = receiver.AccessToken,
            Endpoint = "contoso.identity",
            BufferingTimeLimit = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromSeconds(10),
            // No enrichment unless a test asks for it: a real Dynatrace directory on the machine must not change results.
            EnrichmentDirectory = "none",
        };
        configure?.Invoke(options);

        var sink = new SecurityEventFrontSink(SinkSettings.From(options), time ?? TimeProvider.System, backoff ?? QuickBackoff);
        var fallback = new CollectingSink();
        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.FallbackChain(wt => wt.Sink(sink), wt => wt.Sink(fallback))
            .CreateLogger();
        return new SinkHarness(receiver, sink, logger, fallback);
    }

    public ILogger Security(string eventType = SecurityEventTypes.DetectionFinding) => Logger.ForSecurityEvent(eventType);

    /// <summary>Logs <paramref name="count"/> marked events with a property <c>N</c> numbering them.</summary>
    public void LogNumbered(int count, string padding = "")
    {
        var security = Security();
        for (var i = 0; i < count; i++)
            security.Warning("Event {N} {Padding}", i, padding);
    }

    public static IEnumerable<int> Numbers(IEnumerable<LogEvent> events) =>
        events.Select(e => (int)((ScalarValue)e.Properties["N"]).Value!);

    public IEnumerable<int> ReceivedNumbers() => Receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32());

    public async ValueTask DisposeAsync()
    {
        await Logger.DisposeAsync();
        await Receiver.DisposeAsync();
        Metrics.Dispose();
    }
}
