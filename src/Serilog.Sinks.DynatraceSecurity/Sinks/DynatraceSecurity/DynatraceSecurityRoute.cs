namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// The Dynatrace OpenPipeline ingest route that security events are posted to.
/// </summary>
public enum DynatraceSecurityRoute
{
    /// <summary>
    /// The current security-event routes: <c>/platform/ingest/custom/security.events/{endpoint}</c> when an
    /// endpoint name is configured, otherwise the built-in <c>/platform/ingest/v1/security.events</c>.
    /// </summary>
    SecurityEvents = 0,

    /// <summary>
    /// The deprecated routes: <c>/platform/ingest/custom/events.security/{endpoint}</c> when an endpoint name is configured,
    /// otherwise the built-in <c>/platform/ingest/v1/events.security</c>. Dynatrace's migration deadlines for them have
    /// passed (September 2025 for custom endpoints, December 2025 for the built-in route) and it serves them only until a
    /// tenant's migration completes: use them only for a tenant whose endpoint still exists only there.
    /// </summary>
    LegacyEventsSecurity = 1,
}
