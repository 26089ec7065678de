using System;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// How many bytes the buffer's files take, for the size limit, without listing the directory for every write: a
/// listing is reused for a second, with what this logger wrote since added, while the total is under half the limit;
/// nearer the limit every write lists, so the limit holds as documented. (Listing for every write made a write cost
/// one stat per file: in a 10-minute outage at 10,000 events/s, 6,000 files, it doubled the sink's CPU.) Only the
/// delivery loop asks and counts (new files; the replayer's rewrites replace larger files and are not counted), so
/// there is no lock.
/// </summary>
internal sealed class BufferSize
{
    /// <summary>How long a listing is reused while the buffer is under half its limit.</summary>
    public static readonly TimeSpan ListingReusedFor = TimeSpan.FromSeconds(1);

    readonly Func<long> _list;
    readonly long _limit;
    readonly TimeProvider _time;
    long _listed;
    long _listedAt;
    long _writtenSince;
    bool _known;

    /// <summary><paramref name="list"/> lists the directory and returns the bytes its buffer files take (every process's).</summary>
    public BufferSize(Func<long> list, long limit, TimeProvider time)
    {
        _list = list;
        _limit = limit;
        _time = time;
    }

    /// <summary>The bytes the buffer takes, as of a listing at most a second old plus this logger's writes since.</summary>
    public long Current()
    {
        if (!_known || _listed + _writtenSince >= _limit / 2 || _time.GetElapsedTime(_listedAt) >= ListingReusedFor)
        {
            _listed = _list();
            _listedAt = _time.GetTimestamp();
            _writtenSince = 0;
            _known = true;
        }

        return _listed + _writtenSince;
    }

    /// <summary>Counts a file this logger has just written.</summary>
    public void Wrote(long bytes) => _writtenSince += bytes;
}
