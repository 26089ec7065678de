using System;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

static class TestOptions
{
    public const string ClassicToken = "dt0c01.TESTTOKENPUBLICPART.TESTTOKENSECRETPART0000000000000000000000000000000000000000000";

    public static DynatraceSecuritySinkOptions Create(Action<DynatraceSecuritySinkOptions>? configure = null)
    {
        var options = new DynatraceSecuritySinkOptions
        {
            EnvironmentUrl = "https://abc12345.live.dynatrace.com",
            AccessToken = ClassicToken,
            Endpoint = "contoso.identity",
            // No enrichment unless a test asks for it: a real Dynatrace directory on the machine must not change results.
            EnrichmentDirectory = "none",
        };
        configure?.Invoke(options);
        return options;
    }
}
