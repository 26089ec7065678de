using System;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// The search for the events a 400 was about, within one original request. Bisecting finds one bad event among n in
/// 1 + 2·⌈log₂ n⌉ requests. When nothing has been accepted after that many refusals the endpoint is refusing every
/// part (a proxy, a WAF, a pipeline rule), and going on would cost about 2n requests for nothing: it stops there.
/// Once any part has been accepted, the refusals are about content and the search goes on to isolate every bad event.
/// </summary>
internal sealed class Bisection
{
    readonly int _budget;
    int _refused = 1;
    bool _acceptedAny;

    public Bisection(int eventCount, string firstRefusal)
    {
        _budget = 1 + 2 * CeilingLog2(eventCount);
        LastRefusal = firstRefusal;
    }

    public string LastRefusal { get; private set; }

    /// <summary>True when no more parts should be sent: the budget of refusals is spent and nothing was accepted.</summary>
    public bool Exhausted => !_acceptedAny && _refused >= _budget;

    public void Refused(string description)
    {
        _refused++;
        LastRefusal = description;
    }

    public void Accepted() => _acceptedAny = true;

    static int CeilingLog2(int n)
    {
        var log = 0;
        while ((1L << log) < n)
            log++;
        return log;
    }
}
