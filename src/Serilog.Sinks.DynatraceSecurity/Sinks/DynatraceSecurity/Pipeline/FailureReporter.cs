using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
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
    /// <summary>At most one SelfLog line per this interval for queue-full drops (each dropped event still reaches the listener).</summary>
    public static readonly TimeSpan QueueFullSummaryInterval = TimeSpan.FromSeconds(10);

    readonly object _sender;
    readonly SinkStatistics _statistics;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    volatile ILoggingFailureListener _listener = SelfLog.FailureListener;
    long _queueFullUnsummarized;
    long _nextQueueFullSummaryTicks;

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

    /// <summary>
    /// Reports an event refused on the logging thread because the queue is full. The failure listener gets the event
    /// (unless it is SelfLog's own); SelfLog gets one summary line per <see cref="QueueFullSummaryInterval"/> with the
    /// count, not a line per event, so an outage cannot flood it.
    /// </summary>
    public void ReportQueueFull(LogEvent logEvent, string refusedBy)
    {
        _statistics.AddDropped(DropReason.QueueFull, 1);
        Interlocked.Increment(ref _queueFullUnsummarized);

        var listener = _listener;
        if (!ReferenceEquals(listener, SelfLog.FailureListener))
        {
            try
            {
                listener.OnLoggingFailed(_sender, LoggingFailureKind.Permanent,
                    $"The queue of security events waiting to be sent is full ({refusedBy})", new[] { logEvent }, null);
            }
            catch (Exception listenerFailure)
            {
                SelfLog.WriteLine("{0}: the logging failure listener threw {1}", _sender, listenerFailure);
            }
        }

        var now = _clock.Elapsed.Ticks;
        var due = Interlocked.Read(ref _nextQueueFullSummaryTicks);
        if (now >= due && Interlocked.CompareExchange(ref _nextQueueFullSummaryTicks, now + QueueFullSummaryInterval.Ticks, due) == due)
            WriteQueueFullSummary(refusedBy);
    }

    /// <summary>Writes the queue-full count not yet summarised (called at shutdown so no drop goes unmentioned).</summary>
    public void FlushQueueFullSummary()
    {
        if (Interlocked.Read(ref _queueFullUnsummarized) > 0)
            WriteQueueFullSummary("queueLimit or queueLimitBytes");
    }

    void WriteQueueFullSummary(string refusedBy)
    {
        var count = Interlocked.Exchange(ref _queueFullUnsummarized, 0);
        if (count > 0)
            SelfLog.WriteLine("{0}: Permanent failure: {1}", _sender,
                $"{count} security event(s) dropped because the queue was full ({refusedBy}); {_statistics.TotalDropped} dropped in total");
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
