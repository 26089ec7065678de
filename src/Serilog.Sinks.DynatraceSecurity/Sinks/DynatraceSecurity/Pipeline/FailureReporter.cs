using System;
using System.Collections.Generic;
using System.Threading;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Undelivered;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// Reports events that were not delivered, exactly once each: to the failure listener (which receives the events,
/// so that <c>WriteTo.FallbackChain</c> can keep them) and to <see cref="SelfLog"/> (reason and count, never the payload).
/// Events refused on the logging thread (queue full, logger disposed) reach SelfLog as periodic summaries, so that an
/// outage or a busy shutdown cannot flood it.
/// </summary>
internal sealed class FailureReporter
{
    /// <summary>At most one SelfLog line per this interval for each kind of refusal on the logging thread.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);

    readonly object _sender;
    readonly SinkStatistics _statistics;
    readonly Summary _queueFull;
    readonly Summary _afterDisposal;
    volatile ILoggingFailureListener _listener = SelfLog.FailureListener;
    volatile string _lastQueueLimit = "queueLimit";
    long _totalDropped;

    readonly UndeliveredEventsFile? _file;

    public FailureReporter(object sender, SinkStatistics statistics, TimeProvider time, UndeliveredEventsFile? file = null)
    {
        _sender = sender;
        _file = file;
        _statistics = statistics;
        _queueFull = new Summary(time, count => $"{count} security event(s) dropped because the queue was full ({_lastQueueLimit})");
        _afterDisposal = new Summary(time, count => $"{count} security event(s) logged while or after the logger was disposed were not sent");
    }

    public void SetListener(ILoggingFailureListener listener) =>
        _listener = listener ?? throw new ArgumentNullException(nameof(listener));

    /// <summary>Reports events that are lost, with the reason: one listener call and one SelfLog line.</summary>
    public void ReportDropped(DropReason reason, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events, Exception? exception = null)
    {
        _statistics.AddDropped(reason, events.Count);
        var total = Interlocked.Add(ref _totalDropped, events.Count);
        _file?.Add(SinkStatistics.Tag(reason), message, events);
        Notify(kind, $"{message} ({events.Count} security event(s) dropped: {reason}; {total} dropped in total)", events, exception);
    }

    /// <summary>An event refused on the logging thread because the queue is full: to the listener, and counted for SelfLog.</summary>
    public void ReportQueueFull(LogEvent logEvent, string refusedBy)
    {
        _statistics.AddDropped(DropReason.QueueFull, 1);
        Interlocked.Increment(ref _totalDropped);
        _lastQueueLimit = refusedBy;
        _file?.Add(SinkStatistics.Tag(DropReason.QueueFull), "The queue was full (" + refusedBy + ")", new[] { logEvent });
        NotifyListenerOnly(LoggingFailureKind.Permanent, $"The queue of security events waiting to be sent is full ({refusedBy})", logEvent);
        WriteSummary(_queueFull, _queueFull.Add());
    }

    /// <summary>
    /// An event logged once disposal had begun. While disposal runs the listener still gets it (as <c>Final</c>); once
    /// disposal has finished the listener's own sinks may be gone, so it is only counted for SelfLog.
    /// </summary>
    public void ReportLoggedAfterDisposal(LogEvent logEvent, bool disposalFinished)
    {
        _statistics.AddDropped(DropReason.LoggedAfterDisposal, 1);
        Interlocked.Increment(ref _totalDropped);
        if (!disposalFinished)
        {
            _file?.Add(SinkStatistics.Tag(DropReason.LoggedAfterDisposal), "Logged while the logger was being disposed", new[] { logEvent });
            NotifyListenerOnly(LoggingFailureKind.Final, "Logged while the logger was being disposed: not sent", logEvent);
        }
        WriteSummary(_afterDisposal, _afterDisposal.Add());
    }

    /// <summary>Writes the counts not yet summarised (at the end of disposal, so no refusal goes unmentioned).</summary>
    public void FlushSummaries()
    {
        WriteSummary(_queueFull, _queueFull.Take());
        WriteSummary(_afterDisposal, _afterDisposal.Take());
    }

    void WriteSummary(Summary summary, long count)
    {
        if (count > 0)
            SelfLog.WriteLine("{0}: Permanent failure: {1}", _sender, $"{summary.Describe(count)}; {Interlocked.Read(ref _totalDropped)} dropped in total");
    }

    /// <summary>Reports a failure after which the events will be retried.</summary>
    public void ReportTemporary(string message, IReadOnlyCollection<LogEvent> events, Exception? exception = null) =>
        Notify(LoggingFailureKind.Temporary, message, events, exception);

    /// <summary>Writes a diagnostic line that concerns no particular event.</summary>
    public void Warn(string message) => SelfLog.WriteLine("{0}: {1}", _sender, message);

    void NotifyListenerOnly(LoggingFailureKind kind, string message, LogEvent logEvent)
    {
        // SelfLog's own listener would write a line per event: SelfLog gets the summaries instead.
        var listener = _listener;
        if (ReferenceEquals(listener, SelfLog.FailureListener))
            return;
        try
        {
            listener.OnLoggingFailed(_sender, kind, message, new[] { logEvent }, null);
        }
        catch (Exception listenerFailure)
        {
            SelfLog.WriteLine("{0}: the logging failure listener threw {1}", _sender, listenerFailure);
        }
    }

    void Notify(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events, Exception? exception)
    {
        // SelfLog always gets the reason, in one format that names this sink's endpoint; Serilog's default listener
        // (SelfLog's own) would name only the type. Any other listener also gets the events.
        SelfLog.WriteLine("{0}: {1} failure: {2}", _sender, kind, exception == null ? message : message + " " + exception.Message);
        var listener = _listener;
        if (ReferenceEquals(listener, SelfLog.FailureListener))
            return;
        try
        {
            listener.OnLoggingFailed(_sender, kind, message, events, exception);
        }
        catch (Exception listenerFailure)
        {
            SelfLog.WriteLine("{0}: the logging failure listener threw {1}", _sender, listenerFailure);
        }
    }

    /// <summary>A count of refusals written to SelfLog at most once per <see cref="SummaryInterval"/>, the first at once.</summary>
    sealed class Summary
    {
        readonly TimeProvider _time;
        readonly Func<long, string> _describe;
        long _unsummarized;
        long _nextDue;

        public Summary(TimeProvider time, Func<long, string> describe)
        {
            _time = time;
            _describe = describe;
        }

        public string Describe(long count) => _describe(count);

        /// <summary>Counts one refusal; returns the count to write now, or 0 when a line was written recently.</summary>
        public long Add()
        {
            Interlocked.Increment(ref _unsummarized);
            var now = _time.GetTimestamp();
            var due = Interlocked.Read(ref _nextDue);
            var interval = (long)(SummaryInterval.TotalSeconds * _time.TimestampFrequency);
            return now >= due && Interlocked.CompareExchange(ref _nextDue, now + interval, due) == due ? Take() : 0;
        }

        public long Take() => Interlocked.Exchange(ref _unsummarized, 0);
    }
}
