using System;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>What <see cref="EventSerializer.Serialize"/> made of one event.</summary>
internal enum SerializeOutcome
{
    /// <summary>Written whole, within <c>eventBodyLimitBytes</c>.</summary>
    Fits,

    /// <summary>Written with its longest text values cut to fit; the event carries <c>serilog.truncated: true</c>.</summary>
    Truncated,

    /// <summary>Larger than <c>eventBodyLimitBytes</c> even with every text value cut to nothing; not written.</summary>
    TooLarge,

    /// <summary>Writing it threw; not written.</summary>
    Unformattable,
}

/// <summary>
/// One event as <see cref="EventSerializer.Serialize"/> left it: its JSON object (when it fits), its <c>event.id</c> and
/// the outcome. <see cref="Bytes"/> points into the serializer's buffer and is valid only until its next call.
/// </summary>
internal readonly ref struct SerializedEvent
{
    public SerializedEvent(SerializeOutcome outcome, Guid eventId, ReadOnlySpan<byte> bytes, int untruncatedLength, Exception? failure)
    {
        Outcome = outcome;
        EventId = eventId;
        Bytes = bytes;
        UntruncatedLength = untruncatedLength;
        Failure = failure;
    }

    public SerializeOutcome Outcome { get; }

    public Guid EventId { get; }

    /// <summary>The event's JSON object; empty unless <see cref="Written"/>.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>The size of the event written whole, in bytes (0 when it could not be written at all).</summary>
    public int UntruncatedLength { get; }

    /// <summary>What was thrown, for <see cref="SerializeOutcome.Unformattable"/>.</summary>
    public Exception? Failure { get; }

    /// <summary>Whether <see cref="Bytes"/> holds the event (<see cref="SerializeOutcome.Fits"/> or <see cref="SerializeOutcome.Truncated"/>).</summary>
    public bool Written => Outcome is SerializeOutcome.Fits or SerializeOutcome.Truncated;
}
