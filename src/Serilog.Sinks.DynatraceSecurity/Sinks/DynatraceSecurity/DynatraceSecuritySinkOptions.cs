using System;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// Settings of <c>WriteTo.DynatraceSecurity(...)</c>: the shared <see cref="DynatraceSecurityOptions"/> plus batching,
/// queueing and delivery, documented here for the parameters and JSON keys of the same names in camelCase.
/// </summary>
public sealed class DynatraceSecuritySinkOptions : DynatraceSecurityOptions
{
    /// <summary>The largest number of events taken from the queue for one batch; 1,000 by default, at most 100,000.</summary>
    public int BatchSizeLimit { get; set; } = 1000;

    /// <summary>
    /// The largest request body, 1,024 to 10,000,000 bytes (OpenPipeline refuses requests over 10 MB); 1,000,000 by
    /// default. A batch that does not fit is sent as several requests.
    /// </summary>
    public int BatchSizeLimitBytes { get; set; } = 1_000_000;

    /// <summary>How long events are buffered before a batch is sent; 2 seconds by default, at most 1 hour.</summary>
    public TimeSpan BufferingTimeLimit { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The largest number of security events waiting to be sent; 100,000 by default, at most 10,000,000. When the queue
    /// is full, new events are dropped, counted and reported.
    /// </summary>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>
    /// The largest estimated size, in bytes, of the security events waiting to be sent, at most 4 GiB. The estimate is
    /// taken when an event is logged, without formatting it (see docs/delivery.md, "Bounded memory"); when the queue is
    /// full, new events are dropped, counted and reported.
    /// </summary>
    public long QueueLimitBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long a request that failed with a transient error is retried, measured from its first failure, before its
    /// events are reported as dropped; 10 minutes by default, at most 23 hours (Dynatrace drops events older than 24
    /// hours); <see cref="TimeSpan.Zero"/> turns retries off.
    /// </summary>
    public TimeSpan RetryTimeLimit { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long disposing the logger may spend delivering what is queued; 10 seconds by default, at most 10 minutes.
    /// Disposal returns within this time plus one <see cref="DynatraceSecurityOptions.RequestTimeout"/>, even when the
    /// endpoint is down; what is not delivered is reported.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How request bodies are encoded: <see cref="DynatraceSecurityCompression.None"/> (the default) or
    /// <see cref="DynatraceSecurityCompression.Gzip"/>. <see cref="BatchSizeLimitBytes"/> and
    /// <see cref="DynatraceSecurityOptions.EventBodyLimitBytes"/> always count uncompressed bytes.
    /// </summary>
    public DynatraceSecurityCompression Compression { get; set; } = DynatraceSecurityCompression.None;

    /// <summary>
    /// A file in which the sink keeps every security event it reports as not delivered (dropped when the queue was full,
    /// rejected, given up after <see cref="RetryTimeLimit"/>, not sent at shutdown, ...), one JSON line each:
    /// <c>{"reason":..,"message":..,"event":{...}}</c>, the event as Dynatrace would have received it. For applications
    /// configured from JSON or through <c>AddDynatraceSecurity</c>, which cannot attach <c>WriteTo.FallbackChain</c>.
    /// Null (the default): no file; an empty path, or one inside <see cref="BufferPath"/>, fails at configuration. A relative
    /// path is relative to the current directory; the directory is created; a path that cannot be written fails at
    /// configuration. One file per process: a file another process or logger is writing is not shared (SelfLog says so).
    /// </summary>
    public string? UndeliveredEventsPath { get; set; }

    /// <summary>
    /// The most bytes <see cref="UndeliveredEventsPath"/> and its predecessor (<c>.1</c>) take together, 1 MiB to 64 GiB;
    /// 100 MiB by default. When the file reaches half of this it becomes the predecessor, and the older predecessor, with
    /// the oldest events, is deleted.
    /// </summary>
    public long UndeliveredEventsSizeLimitBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// A directory for durable delivery: a request that fails again after its retry, or is left when the logger is
    /// disposed, is written there, and sent from there once the endpoint accepts again, also by a later run of the
    /// application (or another process using the same directory). So an outage longer than <see cref="RetryTimeLimit"/>,
    /// a restart or a crash loses nothing that reached the disk. Null (the default): no durable buffer; an empty path fails
    /// at configuration. See docs/delivery.md, "Durable delivery", for the guarantees and the crash window. A directory
    /// that cannot be created or written fails at configuration.
    /// </summary>
    public string? BufferPath { get; set; }

    /// <summary>
    /// The most bytes the buffer files in <see cref="BufferPath"/> take (plus one file), 1 MiB to 1 TiB; 256 MiB by
    /// default. When the buffer is full, new requests are not written: their events are reported (they are still in
    /// memory).
    /// </summary>
    public long BufferSizeLimitBytes { get; set; } = 256L * 1024 * 1024;
}
