using System;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// The largest value each limit takes, checked at configuration: beyond these a value is a mistake (a unit mix-up, a
/// day where a second was meant) that would break delivery later, or waste memory, instead of failing with a message.
/// </summary>
internal static class Maxima
{
    public const int BatchSizeLimit = 100_000;
    public const int QueueLimit = 10_000_000;

    /// <summary>OpenPipeline refuses requests over 10 MB.</summary>
    public const long BatchSizeLimitBytes = 10_000_000;

    public const long QueueLimitBytes = 4L * 1024 * 1024 * 1024;

    public const long UndeliveredEventsSizeLimitBytes = 64L * 1024 * 1024 * 1024;

    public const long BufferSizeLimitBytes = 1024L * 1024 * 1024 * 1024;

    public static readonly TimeSpan BufferingTimeLimit = TimeSpan.FromHours(1);

    /// <summary>Dynatrace drops events older than 24 hours: retrying longer than this would deliver nothing.</summary>
    public static readonly TimeSpan RetryTimeLimit = TimeSpan.FromHours(23);

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMinutes(10);
}

/// <summary>The smallest values where a general rule (greater than zero) is not enough.</summary>
internal static class Minima
{
    /// <summary>
    /// A megabyte: room for a few hundred events (for the undelivered-events file, two files of at least half a
    /// megabyte; for the durable buffer, about one request).
    /// </summary>
    public const long UndeliveredEventsSizeLimitBytes = 1024 * 1024;
}
