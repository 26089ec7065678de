using System;
using System.Collections.Generic;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// The events of one batch, each formatted once, side by side in one pooled buffer: requests are cut from it just
/// before they are sent (<see cref="WriteBody"/>), and parts and retries reuse the same bytes, so each event keeps its
/// <c>event.id</c>. The one owner of what became of each: delivered, dropped (reported once per request, however many
/// parts it was split into), written to the durable buffer, or left on disk (replaying). An event read back from the
/// buffer has its bytes and timestamp but no <see cref="LogEvent"/>. Reused by the loop that owns it.
/// </summary>
internal sealed class FormattedBatch : IDisposable
{
    // A buffer that grew for one batch of huge events is not kept for every later batch.
    const int KeptCapacity = 4 * 1024 * 1024;
    const int SampledDetails = 3;

    readonly List<(LogEvent? Event, DateTimeOffset Timestamp, int Start, int Length, bool Resolved)> _entries = new();
    // What was dropped and not reported yet, grouped by reason, kind and message; SampledDetails details at most, then
    // "…" for the rest.
    readonly List<(DropReason Reason, LoggingFailureKind Kind, string Message, Exception? Exception, List<int> Indices,
        List<string> Details)> _drops = new();
    PooledBufferWriter _bytes = new();

    public int Count => _entries.Count;
    public int Bytes => _bytes.WrittenCount;
    public int Delivered { get; private set; }

    /// <summary>Why the rest was left on disk for later (replaying); null while it was not.</summary>
    public string? DeferredBecause { get; private set; }

    public bool Deferred => DeferredBecause != null;

    public int LengthOf(int index) => _entries[index].Length;
    public DateTimeOffset TimestampOf(int index) => _entries[index].Timestamp;
    public ReadOnlySpan<byte> BytesOf(int index) => _bytes.WrittenSpan.Slice(_entries[index].Start, _entries[index].Length);

    public void Add(LogEvent logEvent, ReadOnlySpan<byte> formatted) => Add(logEvent, logEvent.Timestamp, formatted);

    public void Add(LogEvent? logEvent, DateTimeOffset timestamp, ReadOnlySpan<byte> formatted)
    {
        _entries.Add((logEvent, timestamp, _bytes.WrittenCount, formatted.Length, false));
        _bytes.Write(formatted);
    }

    public void MarkDelivered(EventSet events)
    {
        Resolve(events);
        Delivered += events.Count;
    }

    public void MarkSpilled(EventSet events) => Resolve(events);

    /// <summary>The rest stays on disk, for a later try (replaying); the first reason counts.</summary>
    public void Defer(string because) => DeferredBecause ??= because;

    /// <summary>
    /// Notes <paramref name="events"/> as not delivered, for <see cref="ReportDrops"/> to report with the others of the
    /// same reason, kind and message, a sample of the <paramref name="detail"/>s that differ between parts of a request
    /// (Dynatrace's message for each) and the group's first <paramref name="exception"/>.
    /// </summary>
    public void Drop(EventSet events, DropReason reason, LoggingFailureKind kind, string message, string? detail = null, Exception? exception = null)
    {
        Resolve(events);
        var group = _drops.FindLast(candidate => candidate.Reason == reason && candidate.Kind == kind && candidate.Message == message);
        if (group.Indices == null)
        {
            group = (reason, kind, message, exception, new List<int>(), new List<string>());
            _drops.Add(group);
        }

        for (var i = 0; i < events.Count; i++)
            group.Indices.Add(events[i]);
        if (detail != null && group.Details.Count <= SampledDetails && !group.Details.Contains(detail))
            group.Details.Add(group.Details.Count < SampledDetails ? detail : "…");
    }

    /// <summary>
    /// Reports what was dropped since the last call, once per group: one listener call and one SelfLog line. The bytes
    /// go along where the reporter keeps them (the undelivered-events file) or they are all an event has (from disk).
    /// </summary>
    public void ReportDrops(FailureReporter reporter)
    {
        // Taken out first: whatever reporting does, nothing is reported twice.
        var groups = _drops.ToArray();
        _drops.Clear();
        foreach (var group in groups)
        {
            var events = EventsOf(EventSet.Of(group.Indices));
            List<byte[]?>? formatted = null;
            if (events.Count < group.Indices.Count || reporter.KeepsFormattedEvents)
            {
                formatted = new List<byte[]?>(group.Indices.Count);
                foreach (var index in group.Indices)
                    formatted.Add(BytesOf(index).ToArray());
            }

            var message = group.Details.Count == 0 ? group.Message : group.Message + ": " + string.Join(" | ", group.Details);
            reporter.ReportDropped(group.Reason, group.Kind, message, events, group.Exception, formatted, group.Indices.Count);
        }
    }

    /// <summary>The events logged at or after <paramref name="cutoff"/>; the older ones are dropped as too old.</summary>
    public EventSet NotOlderThan(EventSet events, DateTimeOffset cutoff, string message)
    {
        List<int>? positions = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (_entries[events[i]].Timestamp < cutoff)
                (positions ??= new List<int>()).Add(i);
        }

        if (positions == null)
            return events;
        Drop(EventSet.Of(positions.ConvertAll(position => events[position])), DropReason.TooOld, LoggingFailureKind.Permanent, message);
        return events.Without(positions);
    }

    /// <summary>The events neither delivered nor reported (nor buffered) yet, by index.</summary>
    public EventSet UnresolvedSet()
    {
        var indices = new List<int>();
        for (var i = 0; i < _entries.Count; i++)
        {
            if (!_entries[i].Resolved)
                indices.Add(i);
        }

        return EventSet.Of(indices);
    }

    /// <summary>Writes the request body for <paramref name="events"/> into <paramref name="body"/> (cleared first).</summary>
    public ArraySegment<byte> WriteBody(EventSet events, PooledBufferWriter body)
    {
        body.Clear();
        body.Write((byte)'[');
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
                body.Write((byte)',');
            body.Write(BytesOf(events[i]));
        }

        body.Write((byte)']');
        return body.WrittenSegment;
    }

    /// <summary>The <see cref="LogEvent"/>s of these events (none for events read back from disk).</summary>
    public List<LogEvent> EventsOf(EventSet events)
    {
        var list = new List<LogEvent>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            if (_entries[events[i]].Event is { } logEvent)
                list.Add(logEvent);
        }

        return list;
    }

    public void Clear()
    {
        _entries.Clear();
        _drops.Clear();
        Delivered = 0;
        DeferredBecause = null;
        _bytes.Clear();
        if (_bytes.Capacity > KeptCapacity)
        {
            _bytes.Dispose();
            _bytes = new PooledBufferWriter();
        }
    }

    public void Dispose() => _bytes.Dispose();

    void Resolve(EventSet events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var entry = _entries[events[i]];
            entry.Resolved = true;
            _entries[events[i]] = entry;
        }
    }
}
