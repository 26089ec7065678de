namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>The Dynatrace OpenPipeline ingest route that security events are posted to.</summary>
public enum DynatraceSecurityRoute
{
    /// <summary>
    /// The current security-event routes: <c>/platform/ingest/custom/security.events/{endpoint}</c> when an
    /// endpoint name is configured, otherwise the built-in <c>/platform/ingest/v1/security.events</c>.
    /// </summary>
    SecurityEvents = 0,

    /// <summary>
    /// The deprecated routes <c>/platform/ingest/custom/events.security/{endpoint}</c> and
    /// <c>/platform/ingest/v1/events.security</c>, only for a tenant not yet migrated (see docs/options.md).
    /// </summary>
    LegacyEventsSecurity = 1,
}
