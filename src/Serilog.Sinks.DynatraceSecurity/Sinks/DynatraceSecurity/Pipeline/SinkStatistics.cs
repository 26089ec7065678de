using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Health;
using Serilog.Sinks.DynatraceSecurity.Http;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// The sink's <see cref="System.Diagnostics.Metrics"/> instruments, on a <see cref="Meter"/> named
/// <see cref="MeterName"/>, so that OpenTelemetry or <c>dotnet-counters</c> can watch the sink's health. Every
/// measurement carries the tag <c>endpoint</c> (the ingest URL), so that two sinks of one process can be told apart;
/// it also keeps the drops for the health check (<see cref="Health"/>).
/// </summary>
internal sealed class SinkStatistics : IDisposable
{
    public const string MeterName = "Serilog.Sinks.DynatraceSecurity";
    const string Prefix = "serilog.sink.dynatrace_security.";

    // Indexed by DropReason, in its order.
    static readonly string[] ReasonTags =
    {
        "queue_full", "unformattable", "too_large", "rejected", "retry_time_limit_exceeded", "shutdown", "internal", "too_old",
        "logged_after_disposal", "buffer_full", "buffer_failed",
    };

    readonly Counter<long> _queuedCounter;
    readonly Counter<long> _sentCounter;
    readonly Counter<long> _droppedCounter;
    readonly Counter<long> _retriedCounter;
    readonly Counter<long> _persistedCounter;
    readonly Counter<long> _replayedCounter;
    readonly Counter<long> _requestCounter;
    readonly Histogram<double> _requestDuration;

    readonly KeyValuePair<string, object?> _endpoint;
    readonly KeyValuePair<string, object?>[] _endpointOnly;

    public SinkStatistics(EventQueue queue, SinkHealth health, BufferDirectory? buffer = null)
    {
        Health = health;
        _endpoint = new KeyValuePair<string, object?>("endpoint", health.Endpoint);
        _endpointOnly = new[] { _endpoint };
        Meter = new Meter(MeterName, HttpIngestClient.Version);
        _queuedCounter = Meter.CreateCounter<long>(Prefix + "events.queued", "{event}", "Security events accepted into the queue.");
        _sentCounter = Meter.CreateCounter<long>(Prefix + "events.sent", "{event}", "Security events accepted by the endpoint (2xx).");
        _droppedCounter = Meter.CreateCounter<long>(Prefix + "events.dropped", "{event}", "Security events not delivered, by reason (tag 'reason'); each was reported.");
        _retriedCounter = Meter.CreateCounter<long>(Prefix + "events.retried", "{event}", "Security events in attempts that failed and were retried.");
        _requestCounter = Meter.CreateCounter<long>(Prefix + "requests", "{request}", "HTTP requests to the ingest endpoint, by status class (tag 'status_class': 2xx, 3xx, 4xx, 5xx, none).");
        _requestDuration = Meter.CreateHistogram<double>(Prefix + "request.duration", "s", "Duration of HTTP requests to the ingest endpoint.");
        Meter.CreateObservableUpDownCounter(Prefix + "queue.length", () => Tagged(queue.Pending), "{event}", "Security events waiting to be delivered or reported.");
        Meter.CreateObservableUpDownCounter(Prefix + "queue.size", () => Tagged(queue.PendingBytes), "By", "Estimated bytes of the security events waiting.");
        _persistedCounter = Meter.CreateCounter<long>(Prefix + "events.persisted", "{event}", "Security events written to the durable buffer.");
        _replayedCounter = Meter.CreateCounter<long>(Prefix + "events.replayed", "{event}", "Security events delivered from the durable buffer.");
        if (buffer != null)
        {
            // Read when a listener collects: each collection lists the buffer's directory.
            Meter.CreateObservableUpDownCounter(Prefix + "buffer.size", () => Tagged(buffer.Bytes()), "By", "Bytes in the durable buffer's files.");
            Meter.CreateObservableUpDownCounter(Prefix + "buffer.files", () => Tagged(buffer.Files().Count), "{file}", "Files in the durable buffer.");
        }
    }

    public SinkHealth Health { get; }
    public Meter Meter { get; }

    /// <summary>The <c>reason</c> tag: the reason in snake_case.</summary>
    public static string Tag(DropReason reason) => ReasonTags[(int)reason];

    public void AddQueued() => _queuedCounter.Add(1, _endpoint);
    public void AddDelivered(int count) => _sentCounter.Add(count, _endpoint);
    public void AddRetried(int count) => _retriedCounter.Add(count, _endpoint);
    public void AddPersisted(int count) => _persistedCounter.Add(count, _endpoint);
    public void AddReplayed(int count) => _replayedCounter.Add(count, _endpoint);

    public void AddDropped(DropReason reason, int count)
    {
        _droppedCounter.Add(count, new KeyValuePair<string, object?>("reason", Tag(reason)), _endpoint);
        Health.RecordDropped(reason, count);
    }

    public void RecordRequest(IngestResult result, TimeSpan duration)
    {
        var statusClass = result.StatusCode switch
        {
            0 => "none",
            // An answer from the host a handler was redirected to counts as the redirect it is.
            _ when result.RedirectHost != null => "3xx",
            < 300 => "2xx",
            < 400 => "3xx",
            < 500 => "4xx",
            _ => "5xx",
        };
        var tag = new KeyValuePair<string, object?>("status_class", statusClass);
        _requestCounter.Add(1, tag, _endpoint);
        _requestDuration.Record(duration.TotalSeconds, tag, _endpoint);
    }

    Measurement<long> Tagged(long value) => new(value, _endpointOnly);

    public void Dispose() => Meter.Dispose();
}
