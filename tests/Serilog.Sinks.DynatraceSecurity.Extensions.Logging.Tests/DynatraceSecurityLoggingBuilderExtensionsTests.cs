using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Shared;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests;

/// <summary>
/// <c>builder.Logging.AddDynatraceSecurity(...)</c> in a real Generic Host with no Serilog code, over loopback HTTP to
/// the local receiver.
/// </summary>
public class DynatraceSecurityLoggingBuilderExtensionsTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    sealed class Worker;

    [Fact]
    public async Task ConfiguredInCodeItSendsSecurityEventsAndIgnoresTheRest()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = receiver.AccessToken;
            o.Endpoint = "contoso.identity";
            o.EventProvider = "Contoso.Worker";
            o.BufferingTimeLimit = TimeSpan.FromMilliseconds(20);
        });
        using var host = builder.Build();
        await host.StartAsync();
        var logger = host.Services.GetRequiredService<ILogger<Worker>>();

        using (logger.BeginSecurityScope(SecurityEventTypes.VulnerabilityFinding, new Dictionary<string, object?>
               {
                   ["object.id"] = "libfoo",
                   ["actor.ips"] = new[] { "203.0.113.7" },
               }))
        {
            logger.LogWarning("Outdated library {Library} {Version}", "libfoo", "1.2.3");
        }

        logger.LogSecurityEvent(LogLevel.Error, SecurityEventTypes.DetectionFinding, "Failed login for {UserName}", "alice");
        logger.LogWarning("an ordinary warning: not a security event");
        await receiver.WaitForEventsAsync(2, Deadline);
        await host.StopAsync();

        var events = receiver.Events;
        events.Should().HaveCount(2);
        events[0].GetString("event.type").Should().Be("VULNERABILITY_FINDING");
        events[0].GetString("object.id").Should().Be("libfoo");
        events[0].Json.GetProperty("actor.ips")[0].GetString().Should().Be("203.0.113.7");
        events[0].GetString("Library").Should().Be("libfoo");
        events[0].GetString("event.provider").Should().Be("Contoso.Worker");
        events[1].GetString("event.type").Should().Be("DETECTION_FINDING");
        events[1].GetString("event.description").Should().Be("Failed login for alice");
        events[1].GetString("finding.severity").Should().Be("HIGH");
        events[1].GetString("SourceContext").Should().EndWith(nameof(Worker));
    }

    [Fact]
    public async Task DisposingTheHostDeliversWhatIsQueued()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = receiver.AccessToken;
            o.BufferingTimeLimit = TimeSpan.FromMinutes(10); // nothing but the eager first batch goes before disposal
        });
        var host = builder.Build();
        await host.StartAsync();
        var logger = host.Services.GetRequiredService<ILogger<Worker>>();

        for (var i = 0; i < 20; i++)
            logger.LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding, "Event {N}", i);
        await host.StopAsync();
        host.Dispose();

        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().Equal(Enumerable.Range(0, 20));
    }

    [Fact]
    public async Task DisposingAPlainServiceProviderDeliversWhatIsQueued()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var services = new ServiceCollection().AddLogging(logging => logging.AddDynatraceSecurity(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = receiver.AccessToken;
            o.BufferingTimeLimit = TimeSpan.FromMinutes(10);
        }));
        var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILogger<Worker>>();

        for (var i = 0; i < 5; i++)
            logger.LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding, "Event {N}", i);
        await provider.DisposeAsync();

        receiver.Events.Should().HaveCount(5);
    }

    [Fact]
    public async Task ConfiguredFromAConfigurationSectionWithEveryKindOfValue()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var enrichment = Directory.CreateTempSubdirectory("dt-sink-tests-");
        File.WriteAllText(Path.Combine(enrichment.FullName, "dt_host_metadata.json"), """{ "dt.entity.host": "HOST-1" }""");
        var builder = TestHosts.CreateBuilder($$"""
            {
              "Logging": { "LogLevel": { "Default": "Warning" } },
              "DynatraceSecurity": {
                "EnvironmentUrl": "{{receiver.EnvironmentUrl}}",
                "Endpoint": "contoso.identity",
                "EnrichmentDirectory": {{System.Text.Json.JsonSerializer.Serialize(enrichment.FullName)}},
                "Route": "LegacyEventsSecurity",
                "BatchSizeLimit": 100,
                "BufferingTimeLimit": "00:00:00.020",
                "RestrictedToMinimumLevel": "Warning",
                "ProductName": "Contoso Worker",
                "StaticAttributes": { "deployment.environment": "production" },
                "PropertyNames": { "UserName": "actor.name" }
              }
            }
            """);
        // The token from another source, as user secrets or environment variables would add it.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["DynatraceSecurity:AccessToken"] = receiver.AccessToken });
        builder.Logging.AddDynatraceSecurity(builder.Configuration.GetSection("DynatraceSecurity"));
        using var host = builder.Build();
        await host.StartAsync();
        var logger = host.Services.GetRequiredService<ILogger<Worker>>();

        logger.LogSecurityEvent(LogLevel.Information, SecurityEventTypes.DetectionFinding, "below the Logging:LogLevel filter");
        logger.LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding, "Failed login for {UserName}", "alice");
        await receiver.WaitForEventsAsync(1, Deadline);
        await host.StopAsync();

        var received = receiver.Events.Should().ContainSingle().Which;
        received.Request.Route.Should().Be(DynatraceIngestRouteKind.CustomEventsSecurityLegacy);
        received.Request.Endpoint.Should().Be("contoso.identity");
        received.GetString("product.name").Should().Be("Contoso Worker");
        received.GetString("deployment.environment").Should().Be("production");
        received.GetString("actor.name").Should().Be("alice");
        received.GetString("dt.entity.host").Should().Be("HOST-1");
        enrichment.Delete(recursive: true);
    }

    [Fact]
    public async Task AnOAuthClientFromTheSectionWithItsSecretFromAnotherSource()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""
            {
              "DynatraceSecurity": {
                "EnvironmentUrl": "{{receiver.EnvironmentUrl}}",
                "Endpoint": "contoso.identity",
                "EnrichmentDirectory": "none",
                "BufferingTimeLimit": "00:00:00.020",
                "OAuthClientId": "{{receiver.OAuthClientId}}",
                "OAuthTokenUrl": "{{receiver.OAuthTokenUrl}}",
                "OAuthResource": "urn:dtaccount:0f5c1a2b-1111-2222-3333-444455556666"
              }
            }
            """)));
        // The secret from another source, as user secrets or environment variables would add it.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DynatraceSecurity:OAuthClientSecret"] = receiver.OAuthClientSecret,
        });
        builder.Logging.AddDynatraceSecurity(builder.Configuration.GetSection("DynatraceSecurity"));
        using var host = builder.Build();
        await host.StartAsync();
        var logger = host.Services.GetRequiredService<ILogger<Worker>>();

        logger.LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding, "Failed login for {UserName}", "alice");
        await receiver.WaitForEventsAsync(1, Deadline);
        await host.StopAsync();

        var tokenRequest = receiver.TokenRequests.Should().ContainSingle().Subject;
        tokenRequest.Form["resource"].Should().Be("urn:dtaccount:0f5c1a2b-1111-2222-3333-444455556666");
        receiver.Requests.Single().Headers["Authorization"].Should().Be("Bearer " + tokenRequest.IssuedToken);
    }

    [Fact]
    public void AMisspelledKeyFailsWhenTheHostIsBuilt()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(TestHosts.JsonConfiguration("""
            { "EnvironmentUrl": "https://abc12345.live.dynatrace.com", "AccessToken": "dt0c01.X", "Endpont": "contoso.identity" }
            """));

        var act = () => builder.Build().Dispose();

        act.Should().Throw<InvalidOperationException>().WithMessage("*'Endpont'*");
    }

    [Fact]
    public void AnUnknownRouteFailsWhenTheHostIsBuiltAndNamesTheKey()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(TestHosts.JsonConfiguration("""
            { "EnvironmentUrl": "https://abc12345.live.dynatrace.com", "AccessToken": "dt0c01.X", "Route": "SecurityEventz" }
            """));

        var act = () => builder.Build().Dispose();

        act.Should().Throw<InvalidOperationException>().WithMessage("*Route*")
            .Which.ToString().Should().Contain("SecurityEventz");
    }

    [Fact]
    public void AnInvalidSettingFailsWhenTheHostIsBuiltWithTheSinksMessage()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(o =>
        {
            o.EnvironmentUrl = "http://abc12345.live.dynatrace.com";
            o.AccessToken = "dt0c01.TOKENPUBLIC.TOKENSECRET";
        });

        var act = () => builder.Build().Dispose();

        act.Should().Throw<ArgumentException>().WithMessage("*Use https*")
            .Which.ToString().Should().NotContain("TOKENSECRET");
    }

    [Fact]
    public async Task EventsThatCouldNotBeDeliveredAreKeptInTheUndeliveredEventsFileNamedInTheSection()
    {
        var path = Path.Combine(Path.GetTempPath(), "dt-undelivered-" + Guid.NewGuid().ToString("N"), "undelivered.jsonl");
        try
        {
            var builder = TestHosts.CreateBuilder();
            builder.Logging.AddDynatraceSecurity(TestHosts.JsonConfiguration($$"""
                {
                  "EnvironmentUrl": "http://127.0.0.1:9", "AccessToken": "dt0c01.X", "Endpoint": "contoso.identity",
                  "RetryTimeLimit": "00:00:00", "UndeliveredEventsPath": "{{path.Replace("\\", "\\\\")}}"
                }
                """));
            using (var host = builder.Build())
            {
                await host.StartAsync();
                host.Services.GetRequiredService<ILogger<Worker>>()
                    .LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding, "Failed login for {UserName}", "alice");
                await host.StopAsync();
            }

            var line = File.ReadAllLines(path).Should().ContainSingle().Which;
            using var json = System.Text.Json.JsonDocument.Parse(line);
            json.RootElement.GetProperty("reason").GetString().Should().BeOneOf(new[] { "retry_time_limit_exceeded", "shutdown" },
                "nobody listens on port 9 (the host may stop before the first attempt ends)");
            json.RootElement.GetProperty("event").GetProperty("UserName").GetString().Should().Be("alice");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void ATimeBeyondItsMaximumInTheSectionFailsWhenTheHostIsBuilt()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(TestHosts.JsonConfiguration("""
            { "EnvironmentUrl": "https://abc12345.live.dynatrace.com", "AccessToken": "dt0c01.X", "BufferingTimeLimit": "365.00:00:00" }
            """));

        var act = () => builder.Build().Dispose();

        act.Should().Throw<ArgumentException>().WithMessage("*BufferingTimeLimit*at most 01:00:00*");
    }

    [Fact]
    public void NullArgumentsAreRefused()
    {
        var builder = TestHosts.CreateBuilder();
        ((Action)(() => builder.Logging.AddDynatraceSecurity((Action<DynatraceSecuritySinkOptions>)null!)))
            .Should().Throw<ArgumentNullException>().WithParameterName("configure");
        ((Action)(() => builder.Logging.AddDynatraceSecurity((IConfiguration)null!)))
            .Should().Throw<ArgumentNullException>().WithParameterName("configuration");
    }
}
