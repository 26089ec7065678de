namespace Serilog.Sinks.DynatraceSecurity.AspNetCore;

/// <summary>
/// The options of <c>AddSecurityEvents</c>; from configuration, the keys of a section such as
/// <c>{ "SecurityEvents": { "FloodControl": { "MaxEvents": 10, "Window": "00:01:00" } } }</c>.
/// </summary>
public sealed class SecurityEventsOptions
{
    /// <summary>How many events of one kind from one client address are written per window; the rest are summarised.</summary>
    public FloodControlOptions FloodControl { get; } = new();
}
