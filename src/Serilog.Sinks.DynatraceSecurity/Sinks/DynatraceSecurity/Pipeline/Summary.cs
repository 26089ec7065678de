using System;
using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// A count of events that SelfLog hears about in summary rather than a line each (refused on the logging thread, not
/// written to the undelivered-events file, deleted by its roll), so that a burst cannot flood it: the first line comes
/// at once, then at most one per <see cref="Interval"/>, and a count still waiting when its interval ends is written
/// then by a timer, so no count goes unwritten when the events stop. Lock-free: counted on logging threads.
/// </summary>
internal sealed class Summary
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    readonly TimeProvider _time;
    readonly Action<long> _write;
    readonly ITimer _timer;
    readonly long _interval;
    long _pending;
    long _nextDue;
    int _timerSet;

    public Summary(TimeProvider time, Action<long> write)
    {
        _time = time;
        _write = write;
        _interval = (long)(Interval.TotalSeconds * time.TimestampFrequency);
        // The timer's callback holds this summary, and this summary the timer: rooted while it is set.
        _timer = time.CreateTimer(static state => ((Summary)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Add(long count = 1)
    {
        // The undelivered-events file adds what it refused with every record, usually nothing: that neither delays a
        // line that is due nor sets the timer.
        if (count <= 0)
            return;
        Interlocked.Add(ref _pending, count);
        if (!TryWriteDue())
            SetTimer();
    }

    /// <summary>At disposal: the process may end before the timer.</summary>
    public void Flush()
    {
        Interlocked.Exchange(ref _nextDue, _time.GetTimestamp() + _interval);
        Write();
    }

    bool TryWriteDue()
    {
        var now = _time.GetTimestamp();
        var due = Interlocked.Read(ref _nextDue);
        if (now < due || Interlocked.CompareExchange(ref _nextDue, now + _interval, due) != due)
            return false;
        Write();
        return true;
    }

    void Write()
    {
        var count = Interlocked.Exchange(ref _pending, 0);
        if (count <= 0)
            return;
        try
        {
            _write(count);
        }
        catch (Exception)
        {
            // SelfLog's output is the application's; on the timer's thread an exception would end the process.
        }
    }

    void SetTimer()
    {
        if (Interlocked.Exchange(ref _timerSet, 1) != 0)
            return;
        var wait = _time.GetElapsedTime(_time.GetTimestamp(), Interlocked.Read(ref _nextDue));
        _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    void OnTimer()
    {
        Volatile.Write(ref _timerSet, 0);
        // A timer may fire a little before the clock reaches the due time: then it is set again for the rest.
        if (!TryWriteDue() && Interlocked.Read(ref _pending) > 0)
            SetTimer();
    }
}
