namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// The largest request body to send, adapted both ways (docs/delivery.md, 413): a proven 413 lowers it to half that
/// request, a run of accepted requests doubles it again up to <c>batchSizeLimitBytes</c>. A raise that the endpoint
/// refutes with another 413 makes the next one wait twice as long.
/// </summary>
internal sealed class RequestSizeLimit
{
    /// <summary>Never adapt below this: Dynatrace's limits are megabytes, a smaller answer is not about size.</summary>
    public const int Floor = 1024;

    /// <summary>Accepted requests before the first raise after a reduction.</summary>
    public const int FirstProbeAfter = 8;

    /// <summary>The longest run of accepted requests a raise waits for.</summary>
    public const int LastProbeAfter = 256;

    readonly int _configured;
    int _probeAfter = FirstProbeAfter;
    int _acceptedSinceChange;
    int _beforeRaise;

    public RequestSizeLimit(int configured)
    {
        _configured = configured;
        Current = configured;
    }

    public int Current { get; private set; }

    /// <summary>The largest body accepted, not forgotten after a 413: a 413 for a request no larger is in doubt.</summary>
    public int ProvenFits { get; private set; }

    /// <summary>
    /// How many events, from <paramref name="start"/> on, fit one request now (at least one). Requests are cut one at a
    /// time, just before each is sent, so a lowered limit applies to every later one.
    /// </summary>
    public int CountFitting(FormattedBatch batch, EventSet events, int start)
    {
        var count = 1;
        var length = 2 + batch.LengthOf(events[start]);
        while (start + count < events.Count && length + 1 + batch.LengthOf(events[start + count]) <= Current)
        {
            length += 1 + batch.LengthOf(events[start + count]);
            count++;
        }

        return count;
    }

    public void OnAccepted(int length)
    {
        if (length > ProvenFits)
            ProvenFits = length;
        if (_beforeRaise > 0 && length > _beforeRaise)
        {
            // The raise held: the endpoint takes more than before, so raise again at the first pace.
            _probeAfter = FirstProbeAfter;
            _beforeRaise = 0;
        }

        if (Current >= _configured || ++_acceptedSinceChange < _probeAfter)
            return;

        _beforeRaise = Current;
        Current = Current > _configured / 2 ? _configured : Current * 2;
        _acceptedSinceChange = 0;
    }

    /// <summary>A body of <paramref name="length"/> bytes was proven too large; true when the limit went down.</summary>
    public bool OnTooLarge(int length)
    {
        _acceptedSinceChange = 0;
        if (_beforeRaise > 0)
        {
            _probeAfter = _probeAfter >= LastProbeAfter / 2 ? LastProbeAfter : _probeAfter * 2;
            _beforeRaise = 0;
        }

        var reduced = length / 2 < Floor ? Floor : length / 2;
        if (reduced >= Current)
            return false;
        Current = reduced;
        return true;
    }
}
