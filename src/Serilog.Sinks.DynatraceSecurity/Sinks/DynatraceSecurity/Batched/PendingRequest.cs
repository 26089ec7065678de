using System;
using System.Collections.Generic;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// One request body (a JSON array of formatted events) and the events it carries. The body is formatted once and
/// sent again unchanged on retries, so each event keeps its <c>event.id</c>.
/// </summary>
internal sealed class PendingRequest : IDisposable
{
    readonly PooledBufferWriter _body;
    readonly List<LogEvent> _events = new();

    public PendingRequest(int initialCapacity)
    {
        _body = new PooledBufferWriter(initialCapacity);
        _body.Write((byte)'[');
    }

    public IReadOnlyList<LogEvent> Events => _events;

    /// <summary>The body length if it were closed now.</summary>
    public int ClosedLength => _body.WrittenCount + 1;

    /// <summary>The size after adding an event of <paramref name="eventLength"/> bytes and closing.</summary>
    public long LengthWith(int eventLength) => (long)ClosedLength + eventLength + (_events.Count == 0 ? 0 : 1);

    public void Add(LogEvent logEvent, ReadOnlySpan<byte> formatted)
    {
        if (_events.Count > 0)
            _body.Write((byte)',');
        _body.Write(formatted);
        _events.Add(logEvent);
    }

    public ArraySegment<byte> Close()
    {
        _body.Write((byte)']');
        return _body.WrittenSegment;
    }

    public void Dispose() => _body.Dispose();
}
