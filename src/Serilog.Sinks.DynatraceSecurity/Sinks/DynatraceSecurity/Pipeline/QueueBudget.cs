using System.Threading;
using System.Threading.Tasks;

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
    TaskCompletionSource<bool>? _halfFull;

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

        var pendingBytes = Interlocked.Add(ref _pendingBytes, bytes);
        if (pendingBytes > _byteLimit)
        {
            Interlocked.Add(ref _pendingBytes, -bytes);
            Interlocked.Decrement(ref _pending);
            refusedBy = "queueLimitBytes";
            return false;
        }

        if (pendingBytes >= _byteLimit / 2 || Volatile.Read(ref _pending) >= _countLimit / 2)
            Volatile.Read(ref _halfFull)?.TrySetResult(true); // its continuations run on the pool, not here

        refusedBy = "";
        return true;
    }

    /// <summary>
    /// Completes when the queue is at least half full by either limit (at once when it is already): with a durable
    /// buffer, a request that hangs while the queue fills is given up for the buffer. One waiter at a time (the
    /// delivery loop); a new call replaces the previous signal.
    /// </summary>
    public Task HalfFull()
    {
        var signal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _halfFull, signal);
        if (Pending >= _countLimit / 2 || PendingBytes >= _byteLimit / 2)
            signal.TrySetResult(true);
        return signal.Task;
    }

    public void Release(int count, long bytes)
    {
        Interlocked.Add(ref _pending, -count);
        Interlocked.Add(ref _pendingBytes, -bytes);
    }
}
