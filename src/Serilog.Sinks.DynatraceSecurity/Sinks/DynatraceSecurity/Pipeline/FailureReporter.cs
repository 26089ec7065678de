using System;
using System.Collections.Generic;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// Reports events that were not delivered, exactly once each: to the failure listener (which receives the events,
/// so that <c>WriteTo.FallbackChain</c> can keep them) and to <see cref="SelfLog"/> (reason and count, never the payload).
/// </summary>
internal sealed class FailureReporter : ILoggingFailureListener
{
    readonly object _sender;
    readonly SinkStatistics _statistics;
    volatile ILoggingFailureListener _listener = SelfLog.FailureListener;

    public FailureReporter(object sender, SinkStatistics statistics)
    {
        _sender = sender;
        _statistics = statistics;
    }

    public void SetListener(ILoggingFailureListener listener) =>
        _listener = listener ?? throw new ArgumentNullException(nameof(listener));

    /// <summary>Reports events that are lost, with the reason.</summary>
    public void ReportDropped(DropReason reason, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events, Exception? exception = null)
    {
        var total = _statistics.AddDropped(reason, events.Count);
        Notify(kind, $"{message} ({events.Count} security event(s) dropped: {reason}; {total} dropped in total)", events, exception);
    }

    /// <summary>Reports a failure after which the events will be retried.</summary>
    public void ReportTemporary(string message, IReadOnlyCollection<LogEvent> events, Exception? exception = null) =>
        Notify(LoggingFailureKind.Temporary, message, events, exception);

    /// <summary>Writes a diagnostic line that concerns no particular event.</summary>
    public void Warn(string message) => SelfLog.WriteLine("{0}: {1}", _sender, message);

    void Notify(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events, Exception? exception)
    {
        var listener = _listener;
        try
        {
            listener.OnLoggingFailed(_sender, kind, message, events, exception);
        }
        catch (Exception listenerFailure)
        {
            SelfLog.WriteLine("{0}: the logging failure listener threw {1}", _sender, listenerFailure);
        }

        // The default listener writes to SelfLog itself; any other listener gets the events, and SelfLog still
        // gets the reason, so that each failure appears exactly once in each place.
        if (!ReferenceEquals(listener, SelfLog.FailureListener))
            SelfLog.WriteLine("{0}: {1} failure: {2}", _sender, kind, exception == null ? message : message + " " + exception.Message);
    }

    /// <summary>Failures reported by Serilog's batching engine itself (it is given this object as its listener).</summary>
    void ILoggingFailureListener.OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        if (kind == LoggingFailureKind.Temporary || events == null)
            Notify(kind, message, events ?? Array.Empty<LogEvent>(), exception);
        else
            ReportDropped(DropReason.Internal, kind, message, events, exception);
    }
}
