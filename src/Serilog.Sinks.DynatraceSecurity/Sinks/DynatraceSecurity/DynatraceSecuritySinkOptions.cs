using System;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// Settings of <c>WriteTo.DynatraceSecurity(...)</c>: the shared <see cref="DynatraceSecurityOptions"/> plus batching,
/// queueing and delivery. Each property has the PascalCase name of the matching parameter and the same default.
/// </summary>
public sealed class DynatraceSecuritySinkOptions : DynatraceSecurityOptions
{
    /// <summary>The default <see cref="BatchSizeLimit"/>: 1000 events.</summary>
    public const int DefaultBatchSizeLimit = 1000;

    /// <summary>The default <see cref="BatchSizeLimitBytes"/>: 1,000,000 bytes per request body.</summary>
    public const int DefaultBatchSizeLimitBytes = 1_000_000;

    /// <summary>The default <see cref="QueueLimit"/>: 100,000 events.</summary>
    public const int DefaultQueueLimit = 100_000;

    /// <summary>The default <see cref="QueueLimitBytes"/>: 64 MiB.</summary>
    public const long DefaultQueueLimitBytes = 64 * 1024 * 1024;

    /// <summary>The default <see cref="UndeliveredEventsSizeLimitBytes"/>: 100 MiB.</summary>
    public const long DefaultUndeliveredEventsSizeLimitBytes = 100 * 1024 * 1024;

    /// <summary>The default <see cref="BufferSizeLimitBytes"/>: 256 MiB.</summary>
    public const long DefaultBufferSizeLimitBytes = 256L * 1024 * 1024;

    /// <summary>The default <see cref="BufferingTimeLimit"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultBufferingTimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>The default <see cref="RetryTimeLimit"/>: 10 minutes.</summary>
    public static readonly TimeSpan DefaultRetryTimeLimit = TimeSpan.FromMinutes(10);

    /// <summary>The default <see cref="ShutdownTimeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The largest number of events taken from the queue for one batch; at most 100,000.</summary>
    public int BatchSizeLimit { get; set; } = DefaultBatchSizeLimit;

    /// <summary>
    /// The largest request body, 1,024 to 10,000,000 bytes (OpenPipeline refuses requests over 10 MB). A batch that does
    /// not fit is sent as several requests.
    /// </summary>
    public int BatchSizeLimitBytes { get; set; } = DefaultBatchSizeLimitBytes;

    /// <summary>How long events are buffered before a batch is sent; at most 1 hour.</summary>
    public TimeSpan BufferingTimeLimit { get; set; } = DefaultBufferingTimeLimit;

    /// <summary>
    /// The largest number of security events waiting to be sent, at most 10,000,000. When the queue is full, new events
    /// are dropped, counted and reported.
    /// </summary>
    public int QueueLimit { get; set; } = DefaultQueueLimit;

    /// <summary>
    /// The largest estimated size, in bytes, of the security events waiting to be sent, at most 4 GiB. The estimate is
    /// taken when an event is logged, without formatting it (see docs/delivery.md, "Bounded memory"); when the queue is
    /// full, new events are dropped, counted and reported.
    /// </summary>
    public long QueueLimitBytes { get; set; } = DefaultQueueLimitBytes;

    /// <summary>
    /// How long a request that failed with a transient error is retried, measured from its first failure, before its
    /// events are reported as dropped; at most 23 hours (Dynatrace drops events older than 24 hours).
    /// </summary>
    public TimeSpan RetryTimeLimit { get; set; } = DefaultRetryTimeLimit;

    /// <summary>
    /// How long disposing the logger may spend delivering what is queued, at most 10 minutes. Disposal returns within
    /// this time plus one <see cref="DynatraceSecurityOptions.RequestTimeout"/>, even when the endpoint is down; what is
    /// not delivered is reported.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

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
    /// The most bytes <see cref="UndeliveredEventsPath"/> and its predecessor (<c>.1</c>) take together, 1 MiB to 64 GiB:
    /// when the file reaches half of this it becomes the predecessor, and the older predecessor, with the oldest events,
    /// is deleted.
    /// </summary>
    public long UndeliveredEventsSizeLimitBytes { get; set; } = DefaultUndeliveredEventsSizeLimitBytes;

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
    /// The most bytes the buffer files in <see cref="BufferPath"/> take (plus one file), 1 MiB to 1 TiB. When the buffer
    /// is full, new requests are not written: their events are reported (they are still in memory).
    /// </summary>
    public long BufferSizeLimitBytes { get; set; } = DefaultBufferSizeLimitBytes;
}
