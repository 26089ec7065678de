using System;
using System.Collections.Generic;
using System.Text.Json;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// Formats a batch of events, each once, into a <see cref="FormattedBatch"/> that requests are cut from. An event that
/// cannot be formatted, or that does not fit <c>eventBodyLimitBytes</c> even with its text values cut, is reported and
/// left out; the rest of the batch goes on.
/// Not thread-safe: one instance per delivery loop, reusing its buffers.
/// </summary>
internal sealed class RequestBuilder : IDisposable
{
    readonly SecurityEventFormatter _formatter;
    readonly FailureReporter _reporter;
    readonly int _eventLimit;
    readonly PooledBufferWriter _eventBuffer = new();
    readonly Utf8JsonWriter _json;
    readonly EventIdGenerator _eventIds = new();
    Guid _lastEventId;

    public RequestBuilder(SecurityEventFormatter formatter, FailureReporter reporter, int eventLimit)
    {
        _eventLimit = eventLimit;
        _formatter = formatter;
        _reporter = reporter;
        _json = new Utf8JsonWriter(_eventBuffer, SecurityEventFormatter.WriterOptions);
    }

    /// <summary>Formats <paramref name="events"/> into <paramref name="batch"/> (cleared first).</summary>
    public void Build(IEnumerable<LogEvent> events, FormattedBatch batch)
    {
        batch.Clear();
        foreach (var logEvent in events)
        {
            if (!TryFormat(logEvent))
                continue;

            var length = _eventBuffer.WrittenCount;
            if (length > _eventLimit && !TryFormatToFit(logEvent, length))
                continue;
            batch.Add(logEvent, _eventBuffer.WrittenSpan);
        }
    }

    /// <summary>
    /// Writes the event again with its text values cut to the longest length that fits <c>eventBodyLimitBytes</c>
    /// (a binary search over that length, keeping the same <c>event.id</c>); reports the event when even cutting
    /// every text value to nothing leaves it too large.
    /// </summary>
    bool TryFormatToFit(LogEvent logEvent, int untruncatedLength)
    {
        var eventId = _lastEventId;
        var low = 0;
        var high = _formatter.LongestText - 1;
        var best = -1;
        while (low <= high)
        {
            var candidate = low + (high - low) / 2;
            if (TryFormat(logEvent, eventId, candidate) && _eventBuffer.WrittenCount <= _eventLimit)
            {
                best = candidate;
                low = candidate + 1;
            }
            else
            {
                high = candidate - 1;
            }
        }

        if (best >= 0 && TryFormat(logEvent, eventId, best))
            return true;

        _reporter.ReportDropped(DropReason.TooLarge, LoggingFailureKind.Permanent,
            $"A security event of {untruncatedLength} bytes does not fit eventBodyLimitBytes ({_eventLimit}) even with its text values cut",
            new[] { logEvent });
        return false;
    }

    bool TryFormat(LogEvent logEvent)
    {
        var failure = Format(logEvent, _eventIds.Next(), int.MaxValue);
        if (failure == null)
            return true;

        // The exception says what broke, but never echo the payload itself.
        _reporter.ReportDropped(DropReason.Unformattable, LoggingFailureKind.Permanent,
            $"A security event could not be written as JSON ({failure.GetType().Name})", new[] { logEvent }, failure);
        return false;
    }

    bool TryFormat(LogEvent logEvent, Guid eventId, int maximumTextLength) => Format(logEvent, eventId, maximumTextLength) == null;

    /// <summary>Formats into the event buffer; returns the exception when the event cannot be written.</summary>
    Exception? Format(LogEvent logEvent, Guid eventId, int maximumTextLength)
    {
        _eventBuffer.Clear();
        _json.Reset(_eventBuffer);
        _lastEventId = eventId;
        try
        {
            _formatter.Write(_json, logEvent, eventId, maximumTextLength);
            _json.Flush();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    public void Dispose()
    {
        _json.Dispose();
        _eventBuffer.Dispose();
    }
}
