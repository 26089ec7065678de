using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>
/// Reads one sink's instruments the way a user's metrics pipeline would, with a <see cref="MeterListener"/>: what the
/// sink counts is checked through its published metrics, not through fields kept for tests.
/// </summary>
sealed class SinkMetrics : IDisposable
{
    public const string Prefix = "serilog.sink.dynatrace_security.";

    readonly MeterListener _listener = new();
    readonly ConcurrentQueue<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public SinkMetrics(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => _measurements.Enqueue((i.Name, v, t.ToArray())));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => _measurements.Enqueue((i.Name, v, t.ToArray())));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => _measurements.Enqueue((i.Name, v, t.ToArray())));
        _listener.Start();
    }

    public IReadOnlyList<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> Measurements => _measurements.ToArray();

    /// <summary>The sum of an instrument's measurements, optionally those with one tag value.</summary>
    public long Sum(string name, string? tag = null, string? value = null) => (long)_measurements
        .Where(m => m.Name == Prefix + name && (tag == null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))))
        .Sum(m => m.Value);

    public long Sent => Sum("events.sent");

    public long Dropped(DropReason reason) => Sum("events.dropped", "reason", SinkStatistics.Tag(reason));

    public long TotalDropped => Sum("events.dropped");

    /// <summary>The queue length now (events accepted and neither delivered nor reported).</summary>
    public long QueueLength
    {
        get
        {
            var before = _measurements.Count;
            _listener.RecordObservableInstruments();
            return (long)_measurements.Skip(before).Last(m => m.Name == Prefix + "queue.length").Value;
        }
    }

    public void Dispose() => _listener.Dispose();
}
