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
/// disposed) reach SelfLog as <see cref="Summary"/> lines, so that an outage or a busy shutdown cannot flood it. Never throws.
/// </summary>
internal sealed class FailureReporter
{
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
    volatile bool _listenerGone;
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
        _queueFull = new Summary(time, count => WriteSummary($"{count} security event(s) dropped because the queue was full ({_lastQueueLimit})"));
        _duringDisposal = new Summary(time, count => WriteSummary($"{count} security event(s) logged while the logger was being disposed were not sent"));
        _afterDisposal = new Summary(time, count => WriteSummary($"{count} security event(s) logged after the logger was disposed were not sent"));
        _notBuffered = new Summary(time, count => WriteSummary($"{count} security event(s) dropped: {_lastBufferProblem}"));
    }

    /// <summary>Whether dropped events' formatted bytes are wanted (the undelivered-events file keeps them as sent).</summary>
    public bool KeepsFormattedEvents => _file != null;

    public void SetListener(ILoggingFailureListener listener) =>
        _listener = listener ?? throw new ArgumentNullException(nameof(listener));

    /// <summary>
    /// One SelfLog line and one listener call. <paramref name="formatted"/> holds the bytes as sent, in order, when
    /// <see cref="KeepsFormattedEvents"/> or the events came from disk; those have no <see cref="LogEvent"/>
    /// (<paramref name="count"/> says how many): the listener gets stand-ins, and rejected ones are kept in the buffer's
    /// <c>rejected</c> folder. What the buffer could not take is summarised (a line per batch else).
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
            _notBuffered.Add(dropped);
            return;
        }

        if (events.Count > 0 || dropped == 0)
        {
            Notify(kind, $"{message} ({dropped} security event(s) dropped: {reason}; {total} dropped in total)", events, exception);
            return;
        }

        try
        {
            if (formatted != null && reason is DropReason.Rejected or DropReason.TooLarge)
                _buffer?.KeepRejected(formatted);
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            Warn("Keeping rejected events in the durable buffer's rejected folder failed: " + ex.Message);
        }

        if (formatted != null && StoredEvents(formatted) is { Count: > 0 } stored)
            NotifyListenerOnly(kind, message, stored, exception);
        WriteSelfLog("{0}: {1} failure: {2}", kind,
            $"{message} ({dropped} security event(s) from the durable buffer dropped: {reason}; {total} dropped in total)");
    }

    /// <summary>An event refused on the logging thread because the queue is full: to the listener, and counted for SelfLog.</summary>
    public void ReportQueueFull(LogEvent logEvent, string refusedBy)
    {
        Count(DropReason.QueueFull);
        _lastQueueLimit = refusedBy;
        _file?.Add(SinkStatistics.Tag(DropReason.QueueFull), "The queue was full (" + refusedBy + ")", new[] { logEvent });
        NotifyListenerOnly(LoggingFailureKind.Permanent, $"The queue of security events waiting to be sent is full ({refusedBy})", new[] { logEvent });
        _queueFull.Add();
    }

    /// <summary>
    /// An event logged once disposal had begun: to the listener as <c>Final</c>, to the undelivered-events file while
    /// disposal runs, and counted for SelfLog. After this sink's disposal the listener's own sinks may be gone: once it
    /// throws it is not called again.
    /// </summary>
    public void ReportLoggedAfterDisposal(LogEvent logEvent, bool disposalFinished)
    {
        Count(DropReason.LoggedAfterDisposal);
        if (disposalFinished)
        {
            if (!_listenerGone && !NotifyListenerOnly(LoggingFailureKind.Final, "Logged after the logger was disposed: not sent", new[] { logEvent }))
                _listenerGone = true;
            _afterDisposal.Add();
            return;
        }

        _file?.Add(SinkStatistics.Tag(DropReason.LoggedAfterDisposal), "Logged while the logger was being disposed", new[] { logEvent });
        NotifyListenerOnly(LoggingFailureKind.Final, "Logged while the logger was being disposed: not sent", new[] { logEvent });
        _duringDisposal.Add();
    }

    /// <summary>At the end of disposal: the process may end before the summaries' timers.</summary>
    public void FlushSummaries()
    {
        _queueFull.Flush();
        _duringDisposal.Flush();
        _notBuffered.Flush();
    }

    public void ReportTemporary(string message, IReadOnlyCollection<LogEvent> events, Exception? exception = null) =>
        Notify(LoggingFailureKind.Temporary, message, events, exception);

    public void Warn(string message) => WriteSelfLog("{0}: {1}", message);

    void Count(DropReason reason)
    {
        _statistics.AddDropped(reason, 1);
        Interlocked.Increment(ref _totalDropped);
    }

    void WriteSummary(string summary) =>
        WriteSelfLog("{0}: Permanent failure: {1}", $"{summary}; {Interlocked.Read(ref _totalDropped)} dropped in total");

    /// <summary>False when the listener threw.</summary>
    bool NotifyListenerOnly(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events, Exception? exception = null)
    {
        // SelfLog's own listener would write a line per event: SelfLog gets the summaries instead.
        var listener = _listener;
        if (ReferenceEquals(listener, SelfLog.FailureListener))
            return true;
        try
        {
            listener.OnLoggingFailed(_sender, kind, message, events, exception);
            return true;
        }
        catch (Exception listenerFailure)
        {
            WriteSelfLog("{0}: the logging failure listener threw {1}", listenerFailure.ToString());
            return false;
        }
    }

    void Notify(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent> events, Exception? exception)
    {
        // SelfLog always gets the reason, in one format that names this sink's endpoint; Serilog's default listener
        // (SelfLog's own) would name only the type. Any other listener also gets the events.
        WriteSelfLog("{0}: {1} failure: {2}", kind, exception == null ? message : message + " " + exception.Message);
        NotifyListenerOnly(kind, message, events, exception);
    }

    /// <summary>SelfLog's output is the application's: whatever it throws must not reach the delivery loop.</summary>
    void WriteSelfLog(string format, object arg1, object? arg2 = null)
    {
        try
        {
            SelfLog.WriteLine(format, _sender, arg1, arg2);
        }
        catch (Exception)
        {
            // Nowhere left to say it.
        }
    }

    /// <summary>
    /// Stand-ins for events read back from the durable buffer: each holds the event's JSON as stored in
    /// <c>SecurityEventJson</c>, at its own timestamp. No security marker: a fallback that is itself a security-event
    /// sink does not take them for new events.
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
}
