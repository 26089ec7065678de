using System;
using System.Diagnostics.Metrics;
using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks;

/// <summary>Counts a sink's sent and dropped events from its published metrics, to wait until a run has drained.</summary>
sealed class ResolvedEvents : IDisposable
{
    readonly MeterListener _listener = new();
    long _sent;
    long _dropped;

    public ResolvedEvents(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name.EndsWith(".events.sent", StringComparison.Ordinal))
                listener.EnableMeasurementEvents(instrument, "sent");
            else if (ReferenceEquals(instrument.Meter, meter) && instrument.Name.EndsWith(".events.dropped", StringComparison.Ordinal))
                listener.EnableMeasurementEvents(instrument, "dropped");
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) =>
        {
            if ((string)state! == "sent")
                Interlocked.Add(ref _sent, value);
            else
                Interlocked.Add(ref _dropped, value);
        });
        _listener.Start();
    }

    public long Sent => Interlocked.Read(ref _sent);
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Dispose() => _listener.Dispose();
}
