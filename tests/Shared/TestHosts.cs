using System.IO;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Shared;

/// <summary>
/// Real configuration and a real Generic Host for the tests: <c>appsettings.json</c> text read by the JSON
/// configuration provider, and a host builder with only the loggers a test adds. Linked into the test projects that
/// configure the sink that way.
/// </summary>
static class TestHosts
{
    public static IConfiguration JsonConfiguration(string json) =>
        new ConfigurationBuilder().AddJson(json).Build();

    /// <summary>A host builder without the console and debug loggers, optionally with an appsettings.json text.</summary>
    public static HostApplicationBuilder CreateBuilder(string? appSettingsJson = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (appSettingsJson != null)
            builder.Configuration.AddJson(appSettingsJson);
        return builder;
    }

    static IConfigurationBuilder AddJson(this IConfigurationBuilder builder, string json) =>
        builder.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
}
