using System;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Makes one event fit: gives it a new <c>event.id</c>, writes it with <see cref="SecurityEventFormatter"/> and, when it
/// is larger than <c>eventBodyLimitBytes</c>, writes it again with its text values cut to the longest length that fits
/// (the same id). Used by batched delivery and by audit mode alike. Each call stands alone: nothing a call learns is
/// read by the next. Not thread-safe (it reuses one buffer); the caller keeps one per delivery loop or serialises calls.
/// </summary>
internal sealed class EventSerializer : IDisposable
{
    readonly SecurityEventFormatter _formatter;
    readonly EventIdGenerator _eventIds = new();
    readonly PooledBufferWriter _buffer = new();
    readonly Utf8JsonWriter _json;

    public EventSerializer(SecurityEventFormatter formatter, int eventBodyLimitBytes)
    {
        _formatter = formatter;
        EventBodyLimitBytes = eventBodyLimitBytes;
        _json = new Utf8JsonWriter(_buffer, SecurityEventFormatter.WriterOptions);
    }

    /// <summary>The largest JSON size of one event, in bytes.</summary>
    public int EventBodyLimitBytes { get; }

    public SerializedEvent Serialize(LogEvent logEvent)
    {
        var eventId = _eventIds.Next();
        var failure = TryWrite(logEvent, eventId, int.MaxValue, out var longestText);
        if (failure != null)
            return new SerializedEvent(SerializeOutcome.Unformattable, eventId, default, 0, failure);

        var length = _buffer.WrittenCount;
        if (length <= EventBodyLimitBytes)
            return new SerializedEvent(SerializeOutcome.Fits, eventId, _buffer.WrittenSpan, length, null);

        // The longest text length that still fits: a binary search over the cut, each try a full write.
        var low = 0;
        var high = longestText - 1;
        var best = -1;
        while (low <= high)
        {
            var candidate = low + (high - low) / 2;
            if (TryWrite(logEvent, eventId, candidate, out _) == null && _buffer.WrittenCount <= EventBodyLimitBytes)
            {
                best = candidate;
                low = candidate + 1;
            }
            else
            {
                high = candidate - 1;
            }
        }

        if (best >= 0 && TryWrite(logEvent, eventId, best, out _) == null)
            return new SerializedEvent(SerializeOutcome.Truncated, eventId, _buffer.WrittenSpan, length, null);

        return new SerializedEvent(SerializeOutcome.TooLarge, eventId, default, length, null);
    }

    /// <summary>Writes into the buffer; returns what was thrown when the event cannot be written.</summary>
    Exception? TryWrite(LogEvent logEvent, Guid eventId, int maximumTextLength, out int longestText)
    {
        _buffer.Clear();
        _json.Reset(_buffer);
        try
        {
            longestText = _formatter.Write(_json, logEvent, eventId, maximumTextLength);
            _json.Flush();
            return null;
        }
        catch (Exception ex)
        {
            longestText = 0;
            return ex;
        }
    }

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }
}
