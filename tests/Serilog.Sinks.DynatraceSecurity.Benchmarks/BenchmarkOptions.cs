using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks;

/// <summary>The sink's options as the benchmarks use them: defaults, except where a benchmark says otherwise.</summary>
static class BenchmarkOptions
{
    public const string Token = "dt0c01.BENCHMARKPUBLICPART.BENCHMARKSECRETPART000000000000000000000000000000000000000000000";
    public const string Endpoint = "contoso.identity";

    public static DynatraceSecuritySinkOptions Create(string environmentUrl) => new()
    {
        EnvironmentUrl = environmentUrl,
        AccessToken = Token,
        Endpoint = Endpoint,
        // No enrichment files: a machine with OneAgent would otherwise add its attributes to every event.
        EnrichmentDirectory = "none",
    };

    /// <summary>The sink's formatter with these options, as its delivery loop builds it.</summary>
    public static SecurityEventFormatter CreateFormatter()
    {
        var settings = SinkSettings.From(Create("http://127.0.0.1:1"));
        return new SecurityEventFormatter(settings, new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType));
    }
}
