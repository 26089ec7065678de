using System;
using System.Collections.Generic;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serilog.Sinks.DynatraceSecurity.Health;

// Deliberately in the Microsoft.Extensions.DependencyInjection namespace, next to AddHealthChecks() and the other checks.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds a health check for the Dynatrace security-event sinks of the process: Healthy while they deliver, Degraded
/// while delivery struggles in a way that may pass, the failure status while a setting needs fixing.
/// </summary>
public static class DynatraceSecurityHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check that reports on every DynatraceSecurity sink alive in the process, however it was created
    /// (<c>WriteTo.DynatraceSecurity(...)</c> on any logger, <c>ReadFrom.Configuration</c>, <c>AddSerilog</c>/<c>UseSerilog</c>,
    /// <c>builder.Logging.AddDynatraceSecurity(...)</c>, <c>AuditTo.DynatraceSecurity(...)</c>). Each sink is judged on its own
    /// and the worst is reported: <paramref name="failureStatus"/> when its latest request failed in a way retrying cannot
    /// fix (<c>401</c>, <c>403</c>, <c>404</c>, a redirect, a refused OAuth client) or when there is no sink; Degraded
    /// for a transient failure, a queue more than half full, events in the durable buffer, or events dropped in the last
    /// 5 minutes; otherwise Healthy. The description says what to check; the data holds one entry per sink, keyed by its
    /// ingest URL. The check reads what the sinks already keep: it sends nothing and never waits for the network.
    /// Do not use it in a liveness probe: restarting the app fixes none of these.
    /// </summary>
    /// <param name="builder">The health checks builder, from <c>builder.Services.AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status for a configuration failure or no sink; null for
    /// <see cref="HealthStatus.Unhealthy"/>. <see cref="HealthStatus.Degraded"/> keeps a readiness probe passing.</param>
    /// <param name="tags">The registration's tags, for filtering the checks an endpoint runs.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is null.</exception>
    public static IHealthChecksBuilder AddDynatraceSecurity(this IHealthChecksBuilder builder, string name = "dynatrace-security",
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        if (builder == null) throw new ArgumentNullException(nameof(builder));
        if (name == null) throw new ArgumentNullException(nameof(name));

        // The check holds no state: every sink it reports on is found each time it runs.
        var check = new DynatraceSecurityHealthCheck();
        return builder.Add(new HealthCheckRegistration(name, check, failureStatus, tags));
    }
}
