using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// Counts the security events (and their estimated bytes) that the front sink accepted and that are not yet
/// delivered or reported, so that <c>queueLimit</c> and <c>queueLimitBytes</c> are enforced where every refusal can be
/// counted and reported (Serilog's own bounded queue drops silently when full).
/// </summary>
internal sealed class QueueBudget
{
    readonly int _countLimit;
    readonly long _byteLimit;
    int _pending;
    long _pendingBytes;

    public QueueBudget(int countLimit, long byteLimit)
    {
        _countLimit = countLimit;
        _byteLimit = byteLimit;
    }

    public int Pending => Volatile.Read(ref _pending);

    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>Admits one event of <paramref name="bytes"/>, or says which limit refused it.</summary>
    public bool TryAdmit(long bytes, out string refusedBy)
    {
        if (Interlocked.Increment(ref _pending) > _countLimit)
        {
            Interlocked.Decrement(ref _pending);
            refusedBy = "queueLimit";
            return false;
        }

        if (Interlocked.Add(ref _pendingBytes, bytes) > _byteLimit)
        {
            Interlocked.Add(ref _pendingBytes, -bytes);
            Interlocked.Decrement(ref _pending);
            refusedBy = "queueLimitBytes";
            return false;
        }

        refusedBy = "";
        return true;
    }

    public void Release(int count, long bytes)
    {
        Interlocked.Add(ref _pending, -count);
        Interlocked.Add(ref _pendingBytes, -bytes);
    }
}
