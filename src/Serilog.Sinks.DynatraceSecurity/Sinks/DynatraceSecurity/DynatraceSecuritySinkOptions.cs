using System;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// The options of <c>WriteTo.DynatraceSecurity(...)</c>: the shared <see cref="DynatraceSecurityOptions"/> plus batching,
/// queueing and delivery (see docs/options.md).
/// </summary>
public sealed class DynatraceSecuritySinkOptions : DynatraceSecurityOptions
{
    /// <summary>The most events in one batch; 1,000 by default.</summary>
    public int BatchSizeLimit { get; set; } = 1000;

    /// <summary>The largest request body in bytes, uncompressed; 1,000,000 by default.</summary>
    public int BatchSizeLimitBytes { get; set; } = 1_000_000;

    /// <summary>How long events are buffered before a batch is sent; 2 seconds by default.</summary>
    public TimeSpan BufferingTimeLimit { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most security events waiting to be sent; further events are dropped and reported.</summary>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>The most estimated bytes of security events waiting to be sent; further events are dropped and reported.</summary>
    public long QueueLimitBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long a failing request is retried, from its first failure, before its events are reported as dropped;
    /// <see cref="TimeSpan.Zero"/> turns retries off.
    /// </summary>
    public TimeSpan RetryTimeLimit { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long disposing the logger may spend delivering what is queued; 10 seconds by default.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How request bodies are encoded; <see cref="DynatraceSecurityCompression.None"/> by default.</summary>
    public DynatraceSecurityCompression Compression { get; set; } = DynatraceSecurityCompression.None;

    /// <summary>A file that keeps every event reported as not delivered, as JSON lines; null for none.</summary>
    public string? UndeliveredEventsPath { get; set; }

    /// <summary>The most bytes <see cref="UndeliveredEventsPath"/> and its predecessor take together.</summary>
    public long UndeliveredEventsSizeLimitBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>A directory where failed requests wait on disk, across restarts and crashes; null for none.</summary>
    public string? BufferPath { get; set; }

    /// <summary>The most bytes the files in <see cref="BufferPath"/> take.</summary>
    public long BufferSizeLimitBytes { get; set; } = 256L * 1024 * 1024;
}
