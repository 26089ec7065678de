using System;
using System.Collections.Generic;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// The events of one batch, each formatted once, side by side in one pooled buffer. Requests are cut from it just
/// before they are sent (<see cref="WriteBody"/>), and halves, chunks and retries reuse the same bytes, so each event
/// keeps its <c>event.id</c> whatever happens to the request that carries it. An event read back from the durable
/// buffer has its bytes and timestamp but no <see cref="LogEvent"/> (it is reported by count, not to the listener).
/// Reused by the loop that owns it.
/// </summary>
internal sealed class FormattedBatch : IDisposable
{
    // A buffer that grew for one batch of huge events is not kept for every later batch.
    const int KeptCapacity = 4 * 1024 * 1024;

    readonly List<LogEvent?> _events = new();
    readonly List<DateTimeOffset> _timestamps = new();
    readonly List<int> _starts = new();
    readonly List<int> _lengths = new();
    readonly List<bool> _resolved = new();
    PooledBufferWriter _bytes = new();

    public int Count => _events.Count;

    /// <summary>The bytes of all its events.</summary>
    public int Bytes => _bytes.WrittenCount;

    public int LengthOf(int index) => _lengths[index];

    public DateTimeOffset TimestampOf(int index) => _timestamps[index];

    public void Add(LogEvent logEvent, ReadOnlySpan<byte> formatted) => Add(logEvent, logEvent.Timestamp, formatted);

    public void Add(LogEvent? logEvent, DateTimeOffset timestamp, ReadOnlySpan<byte> formatted)
    {
        _starts.Add(_bytes.WrittenCount);
        _lengths.Add(formatted.Length);
        _bytes.Write(formatted);
        _events.Add(logEvent);
        _timestamps.Add(timestamp);
        _resolved.Add(false);
    }

    /// <summary>The bytes of one event, as they are sent.</summary>
    public ReadOnlySpan<byte> BytesOf(int index) => _bytes.WrittenSpan.Slice(_starts[index], _lengths[index]);

    /// <summary>Notes that these events were delivered or handed to the reporter.</summary>
    public void MarkResolved(EventSet events)
    {
        for (var i = 0; i < events.Count; i++)
            _resolved[events[i]] = true;
    }

    /// <summary>The events neither delivered nor reported yet (after an unexpected failure).</summary>
    public List<LogEvent> Unresolved()
    {
        var list = new List<LogEvent>();
        for (var i = 0; i < _events.Count; i++)
        {
            if (!_resolved[i] && _events[i] is { } logEvent)
                list.Add(logEvent);
        }

        return list;
    }

    /// <summary>The events neither delivered nor reported (nor buffered) yet, by index.</summary>
    public EventSet UnresolvedSet()
    {
        var indices = new List<int>();
        for (var i = 0; i < _events.Count; i++)
        {
            if (!_resolved[i])
                indices.Add(i);
        }

        return EventSet.Of(indices);
    }

    /// <summary>Writes the request body for <paramref name="events"/> into <paramref name="body"/> (cleared first).</summary>
    public ArraySegment<byte> WriteBody(EventSet events, PooledBufferWriter body)
    {
        body.Clear();
        var bytes = _bytes.WrittenSpan;
        body.Write((byte)'[');
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
                body.Write((byte)',');
            var index = events[i];
            body.Write(bytes.Slice(_starts[index], _lengths[index]));
        }

        body.Write((byte)']');
        return body.WrittenSegment;
    }

    /// <summary>
    /// The events of <paramref name="events"/> logged at or after <paramref name="cutoff"/>; the indices of the older
    /// ones are added to <paramref name="tooOld"/> and they are marked resolved (the caller reports them).
    /// </summary>
    public EventSet NotOlderThan(EventSet events, DateTimeOffset cutoff, List<int> tooOld)
    {
        List<int>? kept = null;
        for (var i = 0; i < events.Count; i++)
        {
            var index = events[i];
            if (_timestamps[index] >= cutoff)
            {
                kept?.Add(index);
                continue;
            }

            if (kept == null)
            {
                kept = new List<int>(events.Count);
                for (var j = 0; j < i; j++)
                    kept.Add(events[j]);
            }

            _resolved[index] = true;
            tooOld.Add(index);
        }

        return kept == null ? events : EventSet.Of(kept);
    }

    /// <summary>Copies of the events' bytes, as they were sent (for the undelivered-events file).</summary>
    public List<byte[]> FormattedOf(EventSet events)
    {
        var bytes = _bytes.WrittenSpan;
        var copies = new List<byte[]>(events.Count);
        for (var i = 0; i < events.Count; i++)
            copies.Add(bytes.Slice(_starts[events[i]], _lengths[events[i]]).ToArray());
        return copies;
    }

    /// <summary>The <see cref="LogEvent"/>s of these events (none for events read back from disk).</summary>
    public List<LogEvent> EventsOf(EventSet events)
    {
        var list = new List<LogEvent>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            if (_events[events[i]] is { } logEvent)
                list.Add(logEvent);
        }

        return list;
    }

    public void Clear()
    {
        _events.Clear();
        _timestamps.Clear();
        _starts.Clear();
        _lengths.Clear();
        _resolved.Clear();
        if (_bytes.Capacity > KeptCapacity)
        {
            _bytes.Dispose();
            _bytes = new PooledBufferWriter();
        }
        else
        {
            _bytes.Clear();
        }
    }

    public void Dispose() => _bytes.Dispose();
}

/// <summary>Some events of a <see cref="FormattedBatch"/>, by index, in order: one request, or a part of one.</summary>
internal readonly struct EventSet
{
    readonly int[] _indices;
    readonly int _offset;

    EventSet(int[] indices, int offset, int count)
    {
        _indices = indices;
        _offset = offset;
        Count = count;
    }

    public static EventSet Range(int first, int count)
    {
        var indices = new int[count];
        for (var i = 0; i < count; i++)
            indices[i] = first + i;
        return new EventSet(indices, 0, count);
    }

    public static EventSet Of(List<int> indices) => new(indices.ToArray(), 0, indices.Count);

    public int Count { get; }

    public int this[int position] => _indices[_offset + position];

    public EventSet Slice(int start, int count) => new(_indices, _offset + start, count);

    public (EventSet First, EventSet Second) Halves() => (Slice(0, Count / 2), Slice(Count / 2, Count - Count / 2));

    /// <summary>These events but those at <paramref name="positions"/> (ascending).</summary>
    public EventSet Without(List<int> positions)
    {
        var kept = new List<int>(Count);
        var next = 0;
        for (var i = 0; i < Count; i++)
        {
            if (next < positions.Count && positions[next] == i)
                next++;
            else
                kept.Add(this[i]);
        }

        return Of(kept);
    }
}
