using System;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Shared;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests;

/// <summary>
/// How a configuration section turns redaction and enrichment off through <c>AddDynatraceSecurity</c>'s binder: in
/// words a reader of the JSON understands (<c>[]</c>, <c>"none"</c>), never with an empty string.
/// </summary>
public class SectionOffSettingsTests
{
    sealed class Worker;

    [Fact]
    public async Task AnEmptyRedactionListAndEnrichmentNoneFromTheSectionTurnBothOff()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(TestHosts.JsonConfiguration($$"""
            {
              "EnvironmentUrl": "{{receiver.EnvironmentUrl}}", "AccessToken": "{{receiver.AccessToken}}", "Endpoint": "contoso.identity",
              "BufferingTimeLimit": "00:00:00.020", "RedactedProperties": [], "EnrichmentDirectory": "none"
            }
            """));
        using var host = builder.Build();
        await host.StartAsync();

        host.Services.GetRequiredService<ILogger<Worker>>()
            .LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding, "Rotated {Token}", "visible on purpose");
        await receiver.WaitForEventsAsync(1, TimeSpan.FromSeconds(15));
        await host.StopAsync();

        receiver.Events.Should().ContainSingle().Which.GetString("Token").Should().Be("visible on purpose");
    }

    [Theory]
    [InlineData("\"EnrichmentDirectory\": \"\"", "EnrichmentDirectory", "write \"none\"")]
    [InlineData("\"RedactedProperties\": [ \"\" ]", "RedactedProperties", "pass an empty list ([] in JSON)")]
    public void AnEmptyStringThatUsedToMeanOffFailsWhenTheHostIsBuiltAndSaysWhatToWrite(string entry, string option, string fix)
    {
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(TestHosts.JsonConfiguration($$"""
            { "EnvironmentUrl": "https://abc12345.live.dynatrace.com", "AccessToken": "dt0c01.X", {{entry}} }
            """));

        var act = () => builder.Build().Dispose();

        act.Should().Throw<ArgumentException>().Which.Should().Match<ArgumentException>(e => e.ParamName == option && e.Message.Contains(fix));
    }
}
