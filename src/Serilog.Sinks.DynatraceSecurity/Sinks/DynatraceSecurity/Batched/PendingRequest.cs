using System;
using System.Collections.Generic;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// One request body (a JSON array of formatted events) and the events it carries, with where each event's bytes
/// lie. The body is formatted once and sent again unchanged on retries, and split into halves (413, 400) from the
/// same bytes, so each event keeps its <c>event.id</c>.
/// </summary>
internal sealed class PendingRequest : IDisposable
{
    readonly PooledBufferWriter _body;
    readonly List<LogEvent> _events = new();
    readonly List<int> _starts = new();
    readonly List<int> _lengths = new();
    bool _closed;

    public PendingRequest(int initialCapacity)
    {
        _body = new PooledBufferWriter(initialCapacity);
        _body.Write((byte)'[');
    }

    public IReadOnlyList<LogEvent> Events => _events;

    /// <summary>The body length once closed.</summary>
    public int Length => _body.WrittenCount + (_closed ? 0 : 1);

    /// <summary>The size after adding an event of <paramref name="eventLength"/> bytes and closing.</summary>
    public long LengthWith(int eventLength) => (long)Length + eventLength + (_events.Count == 0 ? 0 : 1);

    public void Add(LogEvent logEvent, ReadOnlySpan<byte> formatted)
    {
        if (_closed)
            throw new InvalidOperationException("The request body is closed.");
        if (_events.Count > 0)
            _body.Write((byte)',');
        _starts.Add(_body.WrittenCount);
        _lengths.Add(formatted.Length);
        _body.Write(formatted);
        _events.Add(logEvent);
    }

    public ArraySegment<byte> Body
    {
        get
        {
            if (!_closed)
            {
                _body.Write((byte)']');
                _closed = true;
            }

            return _body.WrittenSegment;
        }
    }

    /// <summary>Two requests holding the first and the second half of the events, with their original bytes.</summary>
    public (PendingRequest First, PendingRequest Second) Split()
    {
        if (_events.Count < 2)
            throw new InvalidOperationException("A request with one event cannot be split.");
        var middle = _events.Count / 2;
        return (Slice(0, middle), Slice(middle, _events.Count - middle));
    }

    /// <summary>
    /// Requests holding these events in order, each no larger than <paramref name="limit"/> (an event that alone is
    /// larger gets a request of its own), with their original bytes.
    /// </summary>
    public List<PendingRequest> Chunk(int limit)
    {
        var chunks = new List<PendingRequest>();
        var first = 0;
        while (first < _events.Count)
        {
            var count = 1;
            var length = _lengths[first] + 2;
            while (first + count < _events.Count && length + 1 + _lengths[first + count] <= limit)
            {
                length += 1 + _lengths[first + count];
                count++;
            }

            chunks.Add(Slice(first, count));
            first += count;
        }

        return chunks;
    }

    PendingRequest Slice(int first, int count)
    {
        var bytes = _body.WrittenSegment;
        var slice = new PendingRequest(_starts[first + count - 1] + _lengths[first + count - 1] - _starts[first] + 2);
        for (var i = first; i < first + count; i++)
            slice.Add(_events[i], bytes.AsSpan(_starts[i], _lengths[i]));
        return slice;
    }

    public void Dispose() => _body.Dispose();
}
