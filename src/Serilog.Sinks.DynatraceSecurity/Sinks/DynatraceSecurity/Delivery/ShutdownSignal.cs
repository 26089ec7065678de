using System;
using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// Tells the delivery loop that the logger is being disposed (Serilog's engine gives it no token of its own), and
/// bounds how long delivery may go on: no new attempt after <c>shutdownTimeout</c>, and none after an attempt has
/// failed during shutdown. What is left then is reported as <c>Final</c>.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    readonly CancellationTokenSource _cancellation = new();
    readonly TimeProvider _time;
    readonly TimeSpan _timeout;
    long _began;
    volatile bool _failed;

    public ShutdownSignal(TimeSpan timeout, TimeProvider time)
    {
        _timeout = timeout;
        _time = time;
    }

    /// <summary>Cancelled when shutdown begins: waits between attempts end at once.</summary>
    public CancellationToken Token => _cancellation.Token;

    public bool IsShuttingDown => _cancellation.IsCancellationRequested;

    /// <summary>True once nothing more should be sent: the deadline passed or an attempt failed during shutdown.</summary>
    public bool ShouldStopSending => IsShuttingDown && (_failed || Elapsed >= _timeout);

    public TimeSpan Elapsed => _time.GetElapsedTime(Interlocked.Read(ref _began));

    public string StopReason => _failed
        ? "an attempt failed while the logger was being disposed"
        : $"shutdownTimeout ({_timeout.TotalSeconds:0.###} s) passed while the logger was being disposed";

    public void Begin()
    {
        Interlocked.Exchange(ref _began, _time.GetTimestamp());
        _cancellation.Cancel();
    }

    public void MarkFailed() => _failed = true;

    public void Dispose() => _cancellation.Dispose();
}
