using System;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Makes one event fit: gives it a new <c>event.id</c>, writes it with <see cref="SecurityEventFormatter"/> and, when it
/// is larger than <c>eventBodyLimitBytes</c>, writes it again with its text values cut to the longest length that fits
/// (the same id). Used by batched delivery and by audit mode alike. Each call stands alone. Not thread-safe (it reuses
/// one buffer); the caller keeps one per delivery loop or serialises calls.
/// </summary>
internal sealed class EventSerializer : IDisposable
{
    /// <summary>How many <c>event.id</c>s share one random seed.</summary>
    internal const int IdsPerSeed = 4096;

    readonly SecurityEventFormatter _formatter;
    readonly PooledBufferWriter _buffer = new();
    readonly Utf8JsonWriter _json;
    byte[] _id = new byte[16];
    uint _seedTail;
    int _issued = IdsPerSeed;

    public EventSerializer(SecurityEventFormatter formatter, int eventBodyLimitBytes)
    {
        _formatter = formatter;
        EventBodyLimitBytes = eventBodyLimitBytes;
        _json = new Utf8JsonWriter(_buffer, SecurityEventFormatter.WriterOptions);
    }

    /// <summary>The largest JSON size of one event, in bytes.</summary>
    public int EventBodyLimitBytes { get; }

    /// <summary>
    /// The event's JSON object (valid until the next call), cut to fit if need be; empty when it is not written: then
    /// <paramref name="failure"/> is what was thrown, or null when even every text value cut to nothing does not fit.
    /// <paramref name="untruncatedLength"/>: its size written whole, in bytes (0 when it could not be written).
    /// </summary>
    public ReadOnlySpan<byte> Serialize(LogEvent logEvent, out int untruncatedLength, out Exception? failure)
    {
        var eventId = NextId();
        failure = TryWrite(logEvent, eventId, int.MaxValue, out var longestText);
        untruncatedLength = failure == null ? _buffer.WrittenCount : 0;
        if (failure != null || untruncatedLength <= EventBodyLimitBytes)
            return _buffer.WrittenSpan.Slice(0, untruncatedLength);

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

        return best >= 0 && TryWrite(logEvent, eventId, best, out _) == null ? _buffer.WrittenSpan : default;
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

    /// <summary>
    /// 128 bits, unique per event: a random seed drawn once every <see cref="IdsPerSeed"/> ids with a counter mixed
    /// into its last four bytes, so ids share a random 90-bit prefix (version and variant bits kept) with no other
    /// seed. <see cref="Guid.NewGuid"/> per event cost a system call each on Linux, more than formatting the event.
    /// </summary>
    Guid NextId()
    {
        if (_issued == IdsPerSeed)
        {
            _id = Guid.NewGuid().ToByteArray();
            _seedTail = (uint)(_id[12] << 24 | _id[13] << 16 | _id[14] << 8 | _id[15]);
            _issued = 0;
        }

        var tail = _seedTail ^ (uint)_issued++;
        _id[12] = (byte)(tail >> 24);
        _id[13] = (byte)(tail >> 16);
        _id[14] = (byte)(tail >> 8);
        _id[15] = (byte)tail;
        return new Guid(_id);
    }

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }
}
