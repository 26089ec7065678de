using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Threading;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.DynatraceSecurity.Undelivered;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// Reports events that were not delivered, exactly once each: to <see cref="SelfLog"/> (reason and count, never the
/// payload), to the failure listener (which receives the events, so that <c>WriteTo.FallbackChain</c> can keep them)
/// and, when configured, to the undelivered-events file. Events refused on the logging thread (queue full, logger
/// disposed) reach SelfLog as periodic summaries, so that an outage or a busy shutdown cannot flood it. Never throws.
/// </summary>
internal sealed class FailureReporter
{
    /// <summary>At most one SelfLog line per this interval for each kind of refusal on the logging thread.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);

    static readonly MessageTemplate StoredTemplate =
        new MessageTemplateParser().Parse("A security event from the durable buffer was not delivered: {SecurityEventJson}");

    readonly object _sender;
    readonly TimeProvider _time;
    readonly SinkStatistics _statistics;
    readonly UndeliveredEventsFile? _file;
    readonly Durable.BufferDirectory? _buffer;
    readonly Summary _queueFull;
    readonly Summary _duringDisposal;
    readonly Summary _afterDisposal;
    readonly Summary _notBuffered;
    volatile ILoggingFailureListener _listener = SelfLog.FailureListener;
    volatile string _lastQueueLimit = "queueLimit";
    volatile string _lastBufferProblem = "";
    long _totalDropped;

    public FailureReporter(object sender, SinkStatistics statistics, TimeProvider time, UndeliveredEventsFile? file = null,
        Durable.BufferDirectory? buffer = null)
    {
        _sender = sender;
        _time = time;
        _statistics = statistics;
        _file = file;
        _buffer = buffer;
        _queueFull = new Summary(time, count => $"{count} security event(s) dropped because the queue was full ({_lastQueueLimit})");
        _duringDisposal = new Summary(time, count => $"{count} security event(s) logged while the logger was being disposed were not sent");
        _afterDisposal = new Summary(time, count => $"{count} security event(s) logged after the logger was disposed were not sent");
        _notBuffered = new Summary(time, count => $"{count} security event(s) dropped: {_lastBufferProblem}");
    }

    /// <summary>Whether dropped events' formatted bytes are wanted (the undelivered-events file keeps them as sent).</summary>
    public bool KeepsFormattedEvents => _file != null;

    public void SetListener(ILoggingFailureListener listener) =>
        _listener = listener ?? throw new ArgumentNullException(nameof(listener));

    /// <summary>
    /// Reports events that are lost, with the reason: one SelfLog line and one listener call. <paramref name="formatted"/>
    /// holds the events' bytes as sent, in the same order, when <see cref="KeepsFormattedEvents"/> (or they came from
    /// disk). Events read back from the durable buffer have no <see cref="LogEvent"/>: <paramref name="count"/> says how
    /// many there were; the listener gets a stand-in for each (<see cref="StoredEvents"/>), and rejected ones are kept
    /// in the buffer's <c>rejected</c> folder. Events the buffer could not take are summarised in SelfLog, as a full
    /// buffer would write a line per batch.
    /// </summary>
    public void ReportDropped(DropReason reason, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events,
        Exception? exception = null, IReadOnlyList<byte[]?>? formatted = null, int? count = null)
    {
        var dropped = count ?? events.Count;
        _statistics.AddDropped(reason, dropped);
        var total = Interlocked.Add(ref _totalDropped, dropped);
        _file?.Add(SinkStatistics.Tag(reason), message, events, formatted);
        if (reason is DropReason.BufferFull or DropReason.BufferFailed && events.Count > 0)
        {
            _lastBufferProblem = message;
            NotifyListenerOnly(kind, message, events, exception);
            WriteSummary(_notBuffered, _notBuffered.Add(dropped));
            return;
        }

        if (events.Count > 0 || dropped == 0)
        {
            Notify(kind, $"{message} ({dropped} security event(s) dropped: {reason}; {total} dropped in total)", events, exception);
            return;
        }

        if (formatted != null && reason is DropReason.Rejected or DropReason.TooLarge)
            KeepRejected(formatted);
        WriteSelfLog("{0}: {1} failure: {2}",
            $"{message} ({dropped} security event(s) from the durable buffer dropped: {reason}; {total} dropped in total)", kind);
        if (formatted != null)
            NotifyListenerOnly(kind, message, StoredEvents(formatted), exception);
    }

    void KeepRejected(IReadOnlyList<byte[]?> formatted)
    {
        try
        {
            _buffer?.KeepRejected(formatted);
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            Warn("Keeping rejected events in the durable buffer's rejected folder failed: " + ex.Message);
        }
    }

    /// <summary>An event refused on the logging thread because the queue is full: to the listener, and counted for SelfLog.</summary>
    public void ReportQueueFull(LogEvent logEvent, string refusedBy)
    {
        Count(DropReason.QueueFull);
        _lastQueueLimit = refusedBy;
        _file?.Add(SinkStatistics.Tag(DropReason.QueueFull), "The queue was full (" + refusedBy + ")", new[] { logEvent });
        NotifyListenerOnly(LoggingFailureKind.Permanent, $"The queue of security events waiting to be sent is full ({refusedBy})", new[] { logEvent });
        WriteSummary(_queueFull, _queueFull.Add());
    }

    /// <summary>
    /// An event logged once disposal had begun. While disposal runs the listener (and the file) still get it, as
    /// <c>Final</c>; once disposal has finished their sinks may be gone, so it is only counted for SelfLog, whose first
    /// such line comes at once.
    /// </summary>
    public void ReportLoggedAfterDisposal(LogEvent logEvent, bool disposalFinished)
    {
        Count(DropReason.LoggedAfterDisposal);
        if (disposalFinished)
        {
            WriteSummary(_afterDisposal, _afterDisposal.Add());
            return;
        }

        _file?.Add(SinkStatistics.Tag(DropReason.LoggedAfterDisposal), "Logged while the logger was being disposed", new[] { logEvent });
        NotifyListenerOnly(LoggingFailureKind.Final, "Logged while the logger was being disposed: not sent", new[] { logEvent });
        WriteSummary(_duringDisposal, _duringDisposal.Add());
    }

    /// <summary>
    /// Writes the counts not yet summarised, at the end of disposal, so no refusal goes unmentioned; a refusal that a
    /// logging thread was still reporting then gets a line of its own.
    /// </summary>
    public void FlushSummaries()
    {
        WriteSummary(_queueFull, _queueFull.Close());
        WriteSummary(_duringDisposal, _duringDisposal.Close());
        WriteSummary(_notBuffered, _notBuffered.Close());
    }

    /// <summary>Reports a failure after which the events will be retried.</summary>
    public void ReportTemporary(string message, IReadOnlyCollection<LogEvent> events, Exception? exception = null) =>
        Notify(LoggingFailureKind.Temporary, message, events, exception);

    /// <summary>Writes a diagnostic line that concerns no particular event.</summary>
    public void Warn(string message) => WriteSelfLog("{0}: {1}", message, null);

    void Count(DropReason reason)
    {
        _statistics.AddDropped(reason, 1);
        Interlocked.Increment(ref _totalDropped);
    }

    void WriteSummary(Summary summary, long count)
    {
        if (count > 0)
            WriteSelfLog("{0}: Permanent failure: {1}", $"{summary.Describe(count)}; {Interlocked.Read(ref _totalDropped)} dropped in total", null);
    }

    void NotifyListenerOnly(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events, Exception? exception = null)
    {
        // SelfLog's own listener would write a line per event: SelfLog gets the summaries instead.
        var listener = _listener;
        if (ReferenceEquals(listener, SelfLog.FailureListener) || events.Count == 0)
            return;
        try
        {
            listener.OnLoggingFailed(_sender, kind, message, events, exception);
        }
        catch (Exception listenerFailure)
        {
            WriteSelfLog("{0}: the logging failure listener threw {1}", listenerFailure.ToString(), null);
        }
    }

    void Notify(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events, Exception? exception)
    {
        // SelfLog always gets the reason, in one format that names this sink's endpoint; Serilog's default listener
        // (SelfLog's own) would name only the type. Any other listener also gets the events.
        WriteSelfLog("{0}: {1} failure: {2}", exception == null ? message : message + " " + exception.Message, kind);
        var listener = _listener;
        if (ReferenceEquals(listener, SelfLog.FailureListener))
            return;
        try
        {
            listener.OnLoggingFailed(_sender, kind, message, events, exception);
        }
        catch (Exception listenerFailure)
        {
            WriteSelfLog("{0}: the logging failure listener threw {1}", listenerFailure.ToString(), null);
        }
    }

    /// <summary>
    /// Stand-ins for events read back from the durable buffer, which have no <see cref="LogEvent"/> any more: each holds
    /// the event's JSON exactly as stored (with its <c>event.id</c>) in <c>SecurityEventJson</c>, at the event's own
    /// timestamp. No security marker: a fallback that is itself a security-event sink does not take them for new events.
    /// </summary>
    List<LogEvent> StoredEvents(IReadOnlyList<byte[]?> formatted)
    {
        var events = new List<LogEvent>(formatted.Count);
        foreach (var json in formatted)
        {
            if (json != null)
                events.Add(new LogEvent(TimestampOf(json), LogEventLevel.Warning, null, StoredTemplate,
                    new[] { new LogEventProperty("SecurityEventJson", new ScalarValue(Encoding.UTF8.GetString(json))) }));
        }

        return events;
    }

    /// <summary>The event's <c>timestamp</c> field (the sink writes it first), or now when it has none.</summary>
    DateTimeOffset TimestampOf(byte[] json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var found = reader.ValueTextEquals("timestamp");
                    reader.Read();
                    if (found)
                        return reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var timestamp) ? timestamp : _time.GetUtcNow();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
        }

        return _time.GetUtcNow();
    }

    /// <summary>SelfLog's output is the application's: whatever it throws must not reach the delivery loop.</summary>
    void WriteSelfLog(string format, string text, LoggingFailureKind? kind)
    {
        try
        {
            if (kind == null)
                SelfLog.WriteLine(format, _sender, text);
            else
                SelfLog.WriteLine(format, _sender, kind, text);
        }
        catch (Exception)
        {
            // Nowhere left to say it.
        }
    }

    /// <summary>A count of refusals written to SelfLog at most once per <see cref="SummaryInterval"/>, the first at once.</summary>
    sealed class Summary
    {
        readonly TimeProvider _time;
        readonly Func<long, string> _describe;
        long _unsummarized;
        long _nextDue;
        volatile bool _closed;

        public Summary(TimeProvider time, Func<long, string> describe)
        {
            _time = time;
            _describe = describe;
        }

        public string Describe(long count) => _describe(count);

        /// <summary>Counts refusals; returns the count to write now, or 0 when a line was written recently.</summary>
        public long Add(long count = 1)
        {
            Interlocked.Add(ref _unsummarized, count);
            if (_closed)
                return Take();
            var now = _time.GetTimestamp();
            var due = Interlocked.Read(ref _nextDue);
            var interval = (long)(SummaryInterval.TotalSeconds * _time.TimestampFrequency);
            return now >= due && Interlocked.CompareExchange(ref _nextDue, now + interval, due) == due ? Take() : 0;
        }

        public long Take() => Interlocked.Exchange(ref _unsummarized, 0);

        /// <summary>From now on every refusal is written at once; returns the count not yet written.</summary>
        public long Close()
        {
            _closed = true;
            return Take();
        }
    }
}
