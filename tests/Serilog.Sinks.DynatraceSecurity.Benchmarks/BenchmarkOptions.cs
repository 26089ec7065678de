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
    };
}
