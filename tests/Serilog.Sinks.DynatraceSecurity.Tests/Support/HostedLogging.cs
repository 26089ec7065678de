using System;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Shared;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>A real Generic Host whose Microsoft.Extensions.Logging goes through Serilog (<c>AddSerilog()</c>) to the sink.</summary>
static class HostedLogging
{
    public static IHost Start(DynatraceIngestReceiver receiver, Action<LoggerConfiguration>? configure = null,
        Action<DynatraceSecuritySinkOptions>? sinkOptions = null)
    {
        var builder = TestHosts.CreateBuilder();
        builder.Services.AddSerilog(
            configuration =>
            {
                configuration
                    .MinimumLevel.Verbose()
                    .WriteTo.DynatraceSecurity(o =>
                    {
                        o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
                        o.AccessToken = receiver.AccessToken;
                        o.Endpoint = "contoso.identity";
                        o.BufferingTimeLimit = TimeSpan.FromMilliseconds(20);
                        o.EnrichmentDirectory = "none";
                        sinkOptions?.Invoke(o);
                    });
                configure?.Invoke(configuration);
            },
            preserveStaticLogger: true);
        var host = builder.Build();
        host.Start();
        return host;
    }

    public static ILogger<T> Logger<T>(this IHost host) => host.Services.GetRequiredService<ILogger<T>>();
}
