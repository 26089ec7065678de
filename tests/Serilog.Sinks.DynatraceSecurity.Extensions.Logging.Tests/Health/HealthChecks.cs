using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests.Health;

/// <summary>
/// The health check reads every sink of the process, so these tests run alone, after the parallel ones (and the
/// timing-bound ones among them are not slowed by others). Each test's sinks post to an ingest source of its own name.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HealthCollection
{
    public const string Name = "health checks and timing (not run in parallel)";
}

/// <summary>Runs the registered checks as an app's health endpoint or publisher would, through <see cref="HealthCheckService"/>.</summary>
static class HealthChecks
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>Services with the health checks <paramref name="add"/> registers (the default check when null).</summary>
    public static ServiceProvider Services(Action<IHealthChecksBuilder>? add = null)
    {
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddHealthChecks();
        if (add == null)
            builder.AddDynatraceSecurity();
        else
            add(builder);
        return services.BuildServiceProvider();
    }

    public static async Task<HealthReportEntry> CheckAsync(IServiceProvider services, string name = "dynatrace-security") =>
        (await services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries[name];

    /// <summary>Checks until <paramref name="condition"/> holds, within <see cref="Deadline"/>.</summary>
    public static async Task<HealthReportEntry> UntilAsync(IServiceProvider services, Func<HealthReportEntry, bool> condition, string because)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var entry = await CheckAsync(services);
            if (condition(entry))
                return entry;
            if (clock.Elapsed > Deadline)
                throw new TimeoutException($"Not within {Deadline.TotalSeconds} s: {because}; the last check: {Json(entry)}");
            await Task.Delay(20);
        }
    }

    /// <summary>One sink's data: the entry whose key is the ingest URL ending in <paramref name="endpointName"/>.</summary>
    public static IReadOnlyDictionary<string, object?> Sink(HealthReportEntry entry, string endpointName) =>
        (IReadOnlyDictionary<string, object?>)entry.Data.Single(pair => pair.Key.EndsWith("/" + endpointName, StringComparison.Ordinal)).Value;

    public static bool Has(HealthReportEntry entry, string endpointName) =>
        entry.Data.Keys.Any(key => key.EndsWith("/" + endpointName, StringComparison.Ordinal));

    /// <summary>Everything the entry says, as a JSON health endpoint would write it.</summary>
    public static string Json(HealthReportEntry entry) => JsonSerializer.Serialize(new
    {
        status = entry.Status.ToString(),
        description = entry.Description,
        data = entry.Data,
        exception = entry.Exception?.ToString(),
        tags = entry.Tags,
    });

    public static void Configure(DynatraceSecuritySinkOptions options, DynatraceIngestReceiver receiver, string endpointName)
    {
        options.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
        options.AccessToken = receiver.AccessToken;
        options.Endpoint = endpointName;
        options.BufferingTimeLimit = TimeSpan.FromMilliseconds(20);
        options.EnrichmentDirectory = "none";
    }
}
