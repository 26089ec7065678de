using System;
using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// What the delivery loop and the durable buffer's replayer both need to know about the endpoint: whether it is down
/// (requests go straight to the buffer until a replayed file gets through), and until when a <c>Retry-After</c> holds
/// back every request. Shared by the two loops, so its fields are read and written atomically.
/// </summary>
internal sealed class EndpointState
{
    readonly TimeProvider _time;
    long _notBefore;
    int _down;
    TaskCompletionSource<bool> _spilled = NewSignal();

    public EndpointState(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>True after a request went to the durable buffer because the endpoint failed, until one gets through.</summary>
    public bool Down => Volatile.Read(ref _down) == 1;

    // Both true when the state changed.
    public bool MarkDown() => Interlocked.Exchange(ref _down, 1) == 0;
    public bool MarkUp() => Interlocked.Exchange(ref _down, 0) == 1;

    /// <summary>A request was written to the durable buffer: wakes a replayer waiting for work.</summary>
    public void NotifySpilled() => Volatile.Read(ref _spilled).TrySetResult(true);

    /// <summary>Completes at the next <see cref="NotifySpilled"/> (taken before looking for work, so none is missed).</summary>
    public Task NextSpill()
    {
        var current = Volatile.Read(ref _spilled);
        if (!current.Task.IsCompleted)
            return current.Task;
        var next = NewSignal();
        return Interlocked.CompareExchange(ref _spilled, next, current) == current ? next.Task : Volatile.Read(ref _spilled).Task;
    }

    static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>No request may start for <paramref name="pause"/> (the endpoint's <c>Retry-After</c>).</summary>
    public void PauseFor(TimeSpan pause) =>
        Interlocked.Exchange(ref _notBefore, _time.GetTimestamp() + (long)(pause.TotalSeconds * _time.TimestampFrequency));

    public TimeSpan Wait => _time.GetElapsedTime(_time.GetTimestamp(), Interlocked.Read(ref _notBefore));
}
