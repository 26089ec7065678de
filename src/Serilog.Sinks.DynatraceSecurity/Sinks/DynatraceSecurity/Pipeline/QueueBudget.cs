using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// Counts the security events that were accepted by the front sink and are not yet delivered or reported,
/// so that the queue limit is enforced where every refusal can be counted and reported (Serilog's own queue
/// drops silently when full).
/// </summary>
internal sealed class QueueBudget
{
    readonly int _limit;
    int _pending;

    public QueueBudget(int limit)
    {
        _limit = limit;
    }

    public int Pending => Volatile.Read(ref _pending);

    public bool TryAdmit()
    {
        if (Interlocked.Increment(ref _pending) <= _limit)
            return true;

        Interlocked.Decrement(ref _pending);
        return false;
    }

    public void Release(int count) => Interlocked.Add(ref _pending, -count);
}
