namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>Why a security event was not delivered (the <c>reason</c> tag, in snake_case).</summary>
internal enum DropReason
{
    /// <summary>The queue was full when the event was logged.</summary>
    QueueFull,
    /// <summary>The event could not be written as JSON.</summary>
    Unformattable,
    /// <summary>The event alone is larger than the request size limit.</summary>
    TooLarge,
    /// <summary>The endpoint rejected the request with a status that retrying cannot fix.</summary>
    Rejected,
    /// <summary>Transient failures lasted longer than the retry time limit.</summary>
    RetryTimeLimitExceeded,
    /// <summary>The logger was disposed before the event could be delivered.</summary>
    Shutdown,
    /// <summary>An unexpected failure inside the sink.</summary>
    Internal,
    /// <summary>Older than Dynatrace accepts (24 hours, with a margin): it would be dropped silently after a 202.</summary>
    TooOld,
    /// <summary>The event was logged while or after the logger was disposed.</summary>
    LoggedAfterDisposal,
    /// <summary>The durable buffer was at its size limit when the event's request was to be written to it.</summary>
    BufferFull,
    /// <summary>Writing the event's request to the durable buffer failed (a full disk, a vanished directory).</summary>
    BufferFailed,
}
