using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Serilog.Sinks.DynatraceSecurity.Health;

/// <summary>
/// Reports on every DynatraceSecurity sink alive in the process (<see cref="SinkHealth.Live"/>), each judged on its own
/// (<see cref="SinkHealth.Report"/>): the worst decides, is described, and the others not healthy are counted. Reads
/// what the sinks keep; sends nothing and waits for nothing.
/// </summary>
internal sealed class DynatraceSecurityHealthCheck : IHealthCheck
{
    internal const string NoSink =
        "No DynatraceSecurity sink exists in this process: add one with WriteTo.DynatraceSecurity(...) or AuditTo.DynatraceSecurity(...) " +
        "in the Serilog configuration, or builder.Logging.AddDynatraceSecurity(...); the check reports on every sink of the process, " +
        "however it was created";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failureStatus = context.Registration.FailureStatus;
        var sinks = SinkHealth.Live();
        if (sinks.Count == 0)
            return Task.FromResult(new HealthCheckResult(failureStatus, NoSink));

        var data = new Dictionary<string, object>();
        (SinkState State, string? Description, IReadOnlyDictionary<string, object?> Data) worst = default;
        var notHealthy = 0;
        foreach (var sink in sinks)
        {
            var report = sink.Report();
            data[KeyFor(data, sink.Endpoint)] = report.Data;
            if (report.State != SinkState.Healthy)
                notHealthy++;
            if (worst.Data == null || report.State > worst.State)
                worst = report;
        }

        if (worst.State == SinkState.Healthy)
            return Task.FromResult(HealthCheckResult.Healthy(
                sinks.Count == 1 ? "The DynatraceSecurity sink delivers" : $"All {sinks.Count} DynatraceSecurity sinks deliver", data));

        var description = notHealthy == 1
            ? worst.Description
            : $"{worst.Description} (and {(notHealthy - 1).ToString(CultureInfo.InvariantCulture)} other sink(s) not healthy: see the data)";
        // A transient failure, the queue, the buffer or drops: Degraded, never the failure status.
        var status = worst.State == SinkState.Failing ? failureStatus : HealthStatus.Degraded;
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }

    /// <summary>The ingest URL, with <c>#2</c>, <c>#3</c>, ... for further sinks posting to the same one.</summary>
    static string KeyFor(Dictionary<string, object> data, string endpoint)
    {
        var key = endpoint;
        for (var n = 2; data.ContainsKey(key); n++)
            key = endpoint + "#" + n.ToString(CultureInfo.InvariantCulture);
        return key;
    }
}
