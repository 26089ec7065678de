using System.Collections.Generic;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// The search for the events a 400 was about, within one original request. It starts by sending three of the events
/// alone (the first, the middle and the last): if the endpoint refuses all three, it is refusing everything (a proxy, a
/// WAF, a pipeline rule) and the rest is reported without more requests, 1 + 3 requests in all, within the promised
/// 1 + 2·⌈log₂ n⌉. Otherwise the refusals are about content: the rest is sent and bisected until every rejected event
/// stands alone, and the others are delivered (one bad event among n costs about 2·⌈log₂ n⌉ requests more).
/// The probes are spread out because bad events often come together (one call site, one burst).
/// </summary>
internal sealed class Bisection
{
    int _probesRefused;

    public Bisection(string firstRefusal, bool uncompressed)
    {
        LastRefusal = firstRefusal;
        Uncompressed = uncompressed;
    }

    public string LastRefusal { get; private set; }

    /// <summary>
    /// True when the request was refused both gzip-compressed and plain: after the probes (which still settle whether
    /// gzip is refused) its parts go plain while gzip is unproven, so that the doubt does not double every request.
    /// </summary>
    public bool Uncompressed { get; }

    /// <summary>True while the probes are out.</summary>
    public bool Probing { get; set; }

    public bool AcceptedAny { get; private set; }

    public void Refused(string description)
    {
        LastRefusal = description;
        _probesRefused++;
    }

    public void Accepted() => AcceptedAny = true;

    /// <summary>True when every probe was refused with a 400: the rest is not worth sending.</summary>
    public bool EverythingRefused(int probes) => !AcceptedAny && _probesRefused >= probes;

    /// <summary>The positions probed first: the first, the middle and the last event (distinct).</summary>
    public static List<int> ProbePositions(int count)
    {
        var positions = new List<int> { 0 };
        if (count > 2)
            positions.Add(count / 2);
        if (count > 1)
            positions.Add(count - 1);
        return positions;
    }
}
