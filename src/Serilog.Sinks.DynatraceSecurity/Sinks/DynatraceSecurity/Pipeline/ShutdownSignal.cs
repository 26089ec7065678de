using System;
using System.Diagnostics;
using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// Tells the delivery loop that the logger is being disposed (Serilog's engine gives it no token of its own), and
/// bounds how long delivery may go on: no new attempt after <c>shutdownTimeout</c>, and none after an attempt has
/// failed during shutdown. What is left then is reported as <c>Final</c>.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    readonly CancellationTokenSource _cancellation = new();
    readonly TimeSpan _timeout;
    Stopwatch? _sinceShutdown;
    volatile bool _failed;

    public ShutdownSignal(TimeSpan timeout)
    {
        _timeout = timeout;
    }

    /// <summary>Cancelled when shutdown begins: waits between attempts end at once.</summary>
    public CancellationToken Token => _cancellation.Token;

    public bool IsShuttingDown => _cancellation.IsCancellationRequested;

    /// <summary>True once nothing more should be sent: the deadline passed or an attempt failed during shutdown.</summary>
    public bool ShouldStopSending => IsShuttingDown && (_failed || Volatile.Read(ref _sinceShutdown)!.Elapsed >= _timeout);

    public string StopReason => _failed
        ? "an attempt failed while the logger was being disposed"
        : $"shutdownTimeout ({_timeout.TotalSeconds:0.###} s) passed while the logger was being disposed";

    public void Begin()
    {
        Volatile.Write(ref _sinceShutdown, Stopwatch.StartNew());
        _cancellation.Cancel();
    }

    public void MarkFailed() => _failed = true;

    public void Dispose() => _cancellation.Dispose();
}
