using System;
using System.Threading;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>Counts delivered and dropped events; drops are counted by reason.</summary>
internal sealed class SinkStatistics
{
    readonly long[] _dropped = new long[Enum.GetValues(typeof(DropReason)).Length];
    long _delivered;

    public long Delivered => Interlocked.Read(ref _delivered);

    public long TotalDropped
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _dropped.Length; i++)
                total += Interlocked.Read(ref _dropped[i]);
            return total;
        }
    }

    public long Dropped(DropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    public void AddDelivered(int count) => Interlocked.Add(ref _delivered, count);

    public long AddDropped(DropReason reason, int count)
    {
        Interlocked.Add(ref _dropped[(int)reason], count);
        return TotalDropped;
    }
}
