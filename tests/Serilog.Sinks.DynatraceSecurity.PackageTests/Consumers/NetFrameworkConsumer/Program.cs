using System;
using System.Collections.Generic;
using Serilog;
using Serilog.Sinks.DynatraceSecurity;

internal static class Program
{
    private static int Main()
    {
        Log.Logger = new LoggerConfiguration()
            .WriteTo.DynatraceSecurity(
                environmentUrl: "https://abc12345.live.dynatrace.com",
                accessToken: Environment.GetEnvironmentVariable("DT_ACCESS_TOKEN"),
                endpoint: "contoso.identity",
                staticAttributes: new Dictionary<string, string> { ["deployment.environment"] = "net462" })
            .WriteTo.DynatraceSecurity(options =>
            {
                options.EnvironmentUrl = "https://abc12345.live.dynatrace.com";
                options.Route = DynatraceSecurityRoute.LegacyEventsSecurity;
                options.RetryTimeLimit = TimeSpan.FromMinutes(1);
            })
            .CreateLogger();

        Log.Logger.ForSecurityEvent(SecurityEventTypes.ComplianceFinding).Warning("Compliance check {CheckId} failed", "TLS-1");
        Log.CloseAndFlush();
        return 0;
    }
}
