using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using Serilog.Sinks.DynatraceSecurity.Http;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// The sink's <see cref="System.Diagnostics.Metrics"/> instruments, on a <see cref="Meter"/> named
/// <see cref="MeterName"/>, so that OpenTelemetry or <c>dotnet-counters</c> can watch the sink's health.
/// </summary>
internal sealed class SinkStatistics : IDisposable
{
    public const string MeterName = "Serilog.Sinks.DynatraceSecurity";
    const string Prefix = "serilog.sink.dynatrace_security.";

    static readonly string[] ReasonTags = CreateReasonTags();

    readonly Counter<long> _queuedCounter;
    readonly Counter<long> _sentCounter;
    readonly Counter<long> _droppedCounter;
    readonly Counter<long> _retriedCounter;
    readonly Counter<long> _persistedCounter;
    readonly Counter<long> _replayedCounter;
    readonly Counter<long> _requestCounter;
    readonly Histogram<double> _requestDuration;

    public SinkStatistics(EventQueue queue)
    {
        Meter = new Meter(MeterName, UserAgent.Version);
        _queuedCounter = Meter.CreateCounter<long>(Prefix + "events.queued", "{event}", "Security events accepted into the queue.");
        _sentCounter = Meter.CreateCounter<long>(Prefix + "events.sent", "{event}", "Security events accepted by the endpoint (2xx).");
        _droppedCounter = Meter.CreateCounter<long>(Prefix + "events.dropped", "{event}", "Security events not delivered, by reason (tag 'reason'); each was reported.");
        _retriedCounter = Meter.CreateCounter<long>(Prefix + "events.retried", "{event}", "Security events in attempts that failed and were retried.");
        _requestCounter = Meter.CreateCounter<long>(Prefix + "requests", "{request}", "HTTP requests to the ingest endpoint, by status class (tag 'status_class': 2xx, 3xx, 4xx, 5xx, none).");
        _requestDuration = Meter.CreateHistogram<double>(Prefix + "request.duration", "s", "Duration of HTTP requests to the ingest endpoint.");
        Meter.CreateObservableUpDownCounter(Prefix + "queue.length", () => queue.Pending, "{event}", "Security events waiting to be delivered or reported.");
        Meter.CreateObservableUpDownCounter(Prefix + "queue.size", () => queue.PendingBytes, "By", "Estimated bytes of the security events waiting.");
        _persistedCounter = Meter.CreateCounter<long>(Prefix + "events.persisted", "{event}", "Security events written to the durable buffer.");
        _replayedCounter = Meter.CreateCounter<long>(Prefix + "events.replayed", "{event}", "Security events delivered from the durable buffer.");
    }

    /// <summary>Publishes the durable buffer's size and file count (read when a listener collects).</summary>
    public void ObserveBuffer(Func<long> bytes, Func<long> files)
    {
        Meter.CreateObservableUpDownCounter(Prefix + "buffer.size", bytes, "By", "Bytes in the durable buffer's files.");
        Meter.CreateObservableUpDownCounter(Prefix + "buffer.files", files, "{file}", "Files in the durable buffer.");
    }

    public void AddPersisted(int count) => _persistedCounter.Add(count);

    public void AddReplayed(int count) => _replayedCounter.Add(count);

    /// <summary>The sink's own meter (one per sink, so that listeners can tell sinks apart).</summary>
    public Meter Meter { get; }

    /// <summary>The snake_case name of a reason, as in the <c>reason</c> tag (<c>queue_full</c>, <c>rejected</c>, ...).</summary>
    public static string Tag(DropReason reason) => ReasonTags[(int)reason];

    public void AddQueued() => _queuedCounter.Add(1);

    public void AddDelivered(int count) => _sentCounter.Add(count);

    public void AddDropped(DropReason reason, int count) =>
        _droppedCounter.Add(count, new KeyValuePair<string, object?>("reason", ReasonTags[(int)reason]));

    public void AddRetried(int count) => _retriedCounter.Add(count);

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
        _requestCounter.Add(1, new KeyValuePair<string, object?>("status_class", statusClass));
        _requestDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("status_class", statusClass));
    }

    public void Dispose() => Meter.Dispose();

    /// <summary>snake_case reason names (queue_full, retry_time_limit_exceeded, ...), indexed by <see cref="DropReason"/>.</summary>
    static string[] CreateReasonTags()
    {
        var reasons = (DropReason[])Enum.GetValues(typeof(DropReason));
        var tags = new string[reasons.Length];
        foreach (var reason in reasons)
        {
            var name = reason.ToString();
            var builder = new System.Text.StringBuilder(name.Length + 8);
            for (var i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0)
                    builder.Append('_');
                builder.Append(char.ToLowerInvariant(name[i]));
            }

            tags[(int)reason] = builder.ToString();
        }

        return tags;
    }
}
