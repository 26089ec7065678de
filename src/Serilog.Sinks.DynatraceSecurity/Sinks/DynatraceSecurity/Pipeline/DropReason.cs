namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>Why a security event was not delivered (the <c>reason</c> tag, in snake_case).</summary>
internal enum DropReason
{
    QueueFull,
    /// <summary>The event could not be written as JSON.</summary>
    Unformattable,
    /// <summary>The event alone is larger than the request size limit.</summary>
    TooLarge,
    /// <summary>The endpoint rejected the request with a status that retrying cannot fix.</summary>
    Rejected,
    RetryTimeLimitExceeded,
    Shutdown,
    /// <summary>An unexpected failure inside the sink.</summary>
    Internal,
    /// <summary>Older than Dynatrace accepts (24 hours, with a margin): it would be dropped silently after a 202.</summary>
    TooOld,
    /// <summary>Logged while or after the logger was disposed.</summary>
    LoggedAfterDisposal,
    BufferFull,
    /// <summary>Writing to the durable buffer failed (a full disk, a vanished directory).</summary>
    BufferFailed,
}
