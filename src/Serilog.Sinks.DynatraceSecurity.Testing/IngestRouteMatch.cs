namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>The route a request path matched, with the custom endpoint name taken from it (null for built-in routes).</summary>
internal sealed class IngestRouteMatch
{
    public IngestRouteMatch(DynatraceIngestRouteKind kind, string? endpoint)
    {
        Kind = kind;
        Endpoint = endpoint;
    }

    public DynatraceIngestRouteKind Kind { get; }

    public string? Endpoint { get; }

    /// <summary>The permission an OAuth token needs on this route: custom endpoints and built-in routes differ.</summary>
    public string RequiredPermission => Kind is DynatraceIngestRouteKind.CustomSecurityEvents or DynatraceIngestRouteKind.CustomEventsSecurityLegacy
        ? DynatraceIngestReceiver.CustomRoutesPermission
        : DynatraceIngestReceiver.BuiltInRoutesPermission;
}
