namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// The Dynatrace OpenPipeline security-event ingest routes the <see cref="DynatraceIngestReceiver"/> serves.
/// </summary>
public enum DynatraceIngestRouteKind
{
    /// <summary>Custom endpoint, current path: <c>POST /platform/ingest/custom/security.events/{endpoint}</c>.</summary>
    CustomSecurityEvents,

    /// <summary>Custom endpoint, legacy (deprecated) path: <c>POST /platform/ingest/custom/events.security/{endpoint}</c>.</summary>
    CustomEventsSecurityLegacy,

    /// <summary>Built-in endpoint, current path: <c>POST /platform/ingest/v1/security.events</c>.</summary>
    BuiltInSecurityEvents,

    /// <summary>Built-in endpoint, legacy (deprecated) path: <c>POST /platform/ingest/v1/events.security</c>.</summary>
    BuiltInEventsSecurityLegacy,
}
