using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// The largest request body to build. Starts at <c>batchSizeLimitBytes</c>; after a 413 it drops to the size of the
/// halves that are sent instead, so a tenant with a smaller limit than configured costs one 413, not one per batch.
/// </summary>
internal sealed class RequestSizeLimit
{
    /// <summary>Never adapt below this: Dynatrace's limits are megabytes, a smaller answer is not about size.</summary>
    public const int Floor = 1024;

    int _current;

    public RequestSizeLimit(long configured)
    {
        Configured = (int)configured;
        _current = Configured;
    }

    /// <summary>The configured limit: a body is never larger.</summary>
    public int Configured { get; }

    /// <summary>The limit requests are built to now.</summary>
    public int Current => Volatile.Read(ref _current);

    /// <summary>A body of <paramref name="rejectedLength"/> bytes was answered 413.</summary>
    /// <returns>True when the limit went down.</returns>
    public bool ReduceAfterTooLarge(int rejectedLength)
    {
        var reduced = rejectedLength / 2;
        if (reduced < Floor)
            reduced = Floor;
        if (reduced >= Current)
            return false;
        Volatile.Write(ref _current, reduced);
        return true;
    }
}
