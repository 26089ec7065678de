using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Configuration;

/// <summary>
/// Every kind of option, set in appsettings.json and read through Serilog.Settings.Configuration's
/// <c>ReadFrom.Configuration</c>, takes effect: checked on what arrives at the local receiver where it is observable,
/// and on the sink's validated settings otherwise.
/// </summary>
public class AppSettingsTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task EnumNamesInJsonAreCaseInsensitive()
    {
        // Serilog.Settings.Configuration 10 parses enum names ignoring case; docs/options.md says so.
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { AcceptGzip = true });
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [ { "Name": "DynatraceSecurity", "Args": {
                  "environmentUrl": "{{receiver.EnvironmentUrl}}", "accessToken": "{{receiver.AccessToken}}", "endpoint": "contoso.identity",
                  "route": "legacyeventssecurity", "restrictedToMinimumLevel": "warning", "compression": "gzip" } } ]
              }
            }
            """);

        logger.ForSecurityEvent().Information("below the minimum level");
        logger.ForSecurityEvent().Warning("Failed login for {UserName} {Padding}", "alice", new string('z', 500));
        await logger.DisposeAsync();

        var received = receiver.Events.Should().ContainSingle().Which;
        received.Request.Route.Should().Be(DynatraceIngestRouteKind.CustomEventsSecurityLegacy);
        received.Request.Headers.Should().Contain("Content-Encoding", "gzip");
    }

    [Fact]
    public async Task StringOptionsAndTheRouteEnumFromJsonShapeWhatArrives()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [
                  {
                    "Name": "DynatraceSecurity",
                    "Args": {
                      "environmentUrl": "{{receiver.EnvironmentUrl}}",
                      "accessToken": "{{receiver.AccessToken}}",
                      "endpoint": "contoso.identity",
                      "route": "LegacyEventsSecurity",
                      "markerProperty": "Audit",
                      "defaultEventType": "COMPLIANCE_FINDING",
                      "eventProvider": "Contoso.Identity",
                      "productName": "Contoso Identity Service",
                      "productVendor": "Contoso"
                    }
                  }
                ]
              }
            }
            """);

        logger.ForContext("Audit", true).Warning("Password policy check failed for {UserName}", "alice");
        logger.ForSecurityEvent(SecurityEventTypes.VulnerabilityFinding).Warning("marked by the library's helper");
        await logger.DisposeAsync();

        receiver.Events.Should().HaveCount(2, "the helpers' default marker counts whatever markerProperty is configured");
        var helperMarked = receiver.Events[1];
        helperMarked.GetString("event.type").Should().Be("VULNERABILITY_FINDING");
        helperMarked.Json.TryGetProperty("SecurityEvent", out _).Should().BeFalse("no marker property is ever written");
        var received = receiver.Events[0];
        received.Request.Route.Should().Be(DynatraceIngestRouteKind.CustomEventsSecurityLegacy);
        received.Request.Endpoint.Should().Be("contoso.identity");
        received.Request.Headers["Authorization"].Should().Be("Api-Token " + receiver.AccessToken);
        received.GetString("event.type").Should().Be("COMPLIANCE_FINDING");
        received.GetString("event.provider").Should().Be("Contoso.Identity");
        received.GetString("product.name").Should().Be("Contoso Identity Service");
        received.GetString("product.vendor").Should().Be("Contoso");
        received.GetString("UserName").Should().Be("alice");
        received.Json.TryGetProperty("Audit", out _).Should().BeFalse("the marker property is never written");
    }

    [Fact]
    public async Task CompressionFromJsonSendsGzipBodies()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { AcceptGzip = true });
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [
                  {
                    "Name": "DynatraceSecurity",
                    "Args": {
                      "environmentUrl": "{{receiver.EnvironmentUrl}}",
                      "accessToken": "{{receiver.AccessToken}}",
                      "endpoint": "contoso.identity",
                      "compression": "Gzip"
                    }
                  }
                ]
              }
            }
            """);

        logger.ForSecurityEvent().Warning("Password policy check failed for {UserName}", "alice");
        await logger.DisposeAsync();

        var received = receiver.Events.Should().ContainSingle().Which;
        received.Request.Headers["content-encoding"].Should().Be("gzip");
        received.GetString("UserName").Should().Be("alice");
    }

    [Fact]
    public async Task StaticAttributesAndPropertyNamesAreJsonObjects()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [
                  {
                    "Name": "DynatraceSecurity",
                    "Args": {
                      "environmentUrl": "{{receiver.EnvironmentUrl}}",
                      "accessToken": "{{receiver.AccessToken}}",
                      "endpoint": "contoso.identity",
                      "staticAttributes": {
                        "deployment.environment": "production",
                        "service.name": "identity",
                        "dt.security_context": "team-identity"
                      },
                      "propertyNames": {
                        "UserName": "actor.name",
                        "ClientIp": "actor.ip"
                      }
                    }
                  }
                ]
              }
            }
            """);

        logger.ForSecurityEvent().Warning("Failed login for {UserName} from {ClientIp}", "alice", "203.0.113.7");
        await logger.DisposeAsync();

        var received = receiver.Events.Should().ContainSingle().Which;
        received.GetString("deployment.environment").Should().Be("production");
        received.GetString("service.name").Should().Be("identity");
        received.GetString("dt.security_context").Should().Be("team-identity");
        received.GetString("actor.name").Should().Be("alice");
        received.GetString("actor.ip").Should().Be("203.0.113.7");
        received.Json.TryGetProperty("UserName", out _).Should().BeFalse();
        received.Json.TryGetProperty("ClientIp", out _).Should().BeFalse();
        received.GetString("event.description").Should().Be("Failed login for alice from 203.0.113.7");
    }

    static string Args(DynatraceIngestReceiver receiver, string more) => $$"""
        {
          "Serilog": {
            "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
            "WriteTo": [ { "Name": "DynatraceSecurity", "Args": {
              "environmentUrl": "{{receiver.EnvironmentUrl}}", "accessToken": "{{receiver.AccessToken}}", {{more}} } } ]
          }
        }
        """;

    /// <summary>
    /// The SelfLog lines of the sink posting to <paramref name="endpoint"/> of <paramref name="receiver"/>: the endpoint
    /// too, because a port is reused once a receiver closes, and a sink of another test may still report on it.
    /// </summary>
    static string[] SelfLogOf(DynatraceIngestReceiver receiver, string endpoint) =>
        SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority).Where(l => l.Contains("/" + endpoint + ")")).ToArray();

    [Fact]
    public async Task BatchLimitsFromJsonShapeTheRequests()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        // The first event's request is held open, so the next twenty are batched together by the limits.
        receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromMilliseconds(300)));
        var logger = AppSettings.CreateLogger(Args(receiver, """
            "batchSizeLimit": 7, "batchSizeLimitBytes": 2048, "bufferingTimeLimit": "00:10:00"
            """));

        var security = logger.ForSecurityEvent();
        security.Warning("Event {N}", 0);
        await receiver.WaitForArrivalsAsync(1, Deadline);
        for (var i = 1; i <= 20; i++)
            security.Warning("Event {N} {Padding}", i, new string('b', i % 2 == 0 ? 300 : 10));
        await logger.DisposeAsync();

        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().Equal(Enumerable.Range(0, 21));
        receiver.Requests.Should().OnlyContain(r => JsonDocument.Parse(r.Body).RootElement.GetArrayLength() <= 7 && r.Body.Length <= 2048);
        receiver.Requests.Should().Contain(r => r.Body.Length > 1024, "requests are filled up to the byte limit");
        receiver.Requests.Should().OnlyContain(r => r.Path == "/platform/ingest/v1/security.events", "no endpoint means the built-in route");
    }

    [Fact]
    public async Task QueueLimitsFromJsonRefuseWhatDoesNotFit()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromSeconds(1)));
        receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromSeconds(1)));
        var byCount = AppSettings.CreateLogger(Args(receiver, "\"queueLimit\": 5, \"endpoint\": \"by.count\""));
        var byBytes = AppSettings.CreateLogger(Args(receiver, "\"queueLimitBytes\": 4000, \"endpoint\": \"by.bytes\""));

        for (var i = 0; i < 20; i++)
        {
            byCount.ForSecurityEvent().Warning("Event {N}", i);
            byBytes.ForSecurityEvent().Warning("Event {N}", i);
        }

        await byCount.DisposeAsync();
        await byBytes.DisposeAsync();

        SelfLogOf(receiver, "by.count").Should().Contain(l => l.Contains("dropped because the queue was full (queueLimit)"));
        SelfLogOf(receiver, "by.bytes").Should().Contain(l => l.Contains("dropped because the queue was full (queueLimitBytes)"));
        receiver.Events.Count.Should().BeLessThan(40);
    }

    [Fact]
    public async Task RetryAndRequestTimesFromJsonBoundAHangingEndpoint()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        for (var i = 0; i < 10; i++)
            receiver.EnqueueResponse(ScriptedResponse.Hang(Timeout.InfiniteTimeSpan));
        var logger = AppSettings.CreateLogger(Args(receiver, """
            "requestTimeout": "00:00:01", "retryTimeLimit": "00:00:01.500", "endpoint": "hanging.endpoint"
            """));

        logger.ForSecurityEvent().Warning("Event {N}", 1);
        Eventually.True(() => SelfLogOf(receiver, "hanging.endpoint").Any(l => l.Contains("Gave up")), Deadline, "the event is given up");
        await logger.DisposeAsync();

        SelfLogOf(receiver, "hanging.endpoint").Should().Contain(l => l.Contains("got no response within 1 s (requestTimeout)"));
        SelfLogOf(receiver, "hanging.endpoint").Should().Contain(l => l.Contains("Gave up: retryTimeLimit passed") && l.Contains("2 attempt(s)"));
    }

    [Fact]
    public async Task ShutdownTimeoutFromJsonBoundsDisposal()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        for (var i = 0; i < 20; i++)
            receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromMilliseconds(400))); // slow but working
        var logger = AppSettings.CreateLogger(Args(receiver, """
            "batchSizeLimit": 1, "shutdownTimeout": "00:00:01", "endpoint": "slow.endpoint"
            """));

        for (var i = 0; i < 20; i++)
            logger.ForSecurityEvent().Warning("Event {N}", i);
        await logger.DisposeAsync();

        receiver.Events.Count.Should().BeInRange(1, 10);
        SelfLogOf(receiver, "slow.endpoint").Should().Contain(l => l.Contains("shutdownTimeout (1 s) passed while the logger was being disposed"));
    }

    [Fact]
    public async Task RestrictedToMinimumLevelFromJsonFiltersEvents()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "MinimumLevel": "Verbose",
                "WriteTo": [
                  {
                    "Name": "DynatraceSecurity",
                    "Args": {
                      "environmentUrl": "{{receiver.EnvironmentUrl}}",
                      "accessToken": "{{receiver.AccessToken}}",
                      "restrictedToMinimumLevel": "Error"
                    }
                  }
                ]
              }
            }
            """);

        var security = logger.ForSecurityEvent();
        security.Warning("below the minimum");
        security.Error("at the minimum");
        security.Fatal("above the minimum");
        await logger.DisposeAsync();

        receiver.Events.Select(e => e.GetString("event.description")).Should().Equal("at the minimum", "above the minimum");
    }

    [Fact]
    public async Task LevelSwitchDeclaredInJsonControlsTheSinkAtRunTime()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        LoggingLevelSwitch? levelSwitch = null;
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "LevelSwitches": { "$securityLevel": "Warning" },
                "MinimumLevel": "Verbose",
                "WriteTo": [
                  {
                    "Name": "DynatraceSecurity",
                    "Args": {
                      "environmentUrl": "{{receiver.EnvironmentUrl}}",
                      "accessToken": "{{receiver.AccessToken}}",
                      "levelSwitch": "$securityLevel"
                    }
                  }
                ]
              }
            }
            """, (name, created) => levelSwitch = created);

        var security = logger.ForSecurityEvent();
        security.Information("below the switch");
        security.Warning("at the switch");
        await receiver.WaitForEventsAsync(1, Deadline);

        levelSwitch.Should().NotBeNull();
        levelSwitch!.MinimumLevel = LogEventLevel.Error;
        security.Warning("below the raised switch");
        security.Error("at the raised switch");
        await logger.DisposeAsync();

        receiver.Events.Select(e => e.GetString("event.description")).Should().Equal("at the switch", "at the raised switch");
    }

    [Fact]
    public async Task AnAppSettingsFileWithoutTheTokenTakesItFromAnotherConfigurationSource()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var directory = Directory.CreateTempSubdirectory("dtsec-appsettings-");
        try
        {
            var path = Path.Combine(directory.FullName, "appsettings.json");
            await File.WriteAllTextAsync(path, $$"""
                {
                  "Serilog": {
                    "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                    "WriteTo": {
                      "Dynatrace": {
                        "Name": "DynatraceSecurity",
                        "Args": { "environmentUrl": "{{receiver.EnvironmentUrl}}", "endpoint": "contoso.identity" }
                      }
                    }
                  }
                }
                """);

            // As user secrets, environment variables or a key vault would add it: a later source, same key.
            var configuration = new ConfigurationBuilder()
                .AddJsonFile(path)
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Serilog:WriteTo:Dynatrace:Args:accessToken"] = receiver.AccessToken,
                })
                .Build();
            var logger = AppSettings.CreateLogger(configuration);
            logger.ForSecurityEvent().Warning("token from another source");
            await logger.DisposeAsync();

            receiver.Events.Should().ContainSingle().Which.GetString("event.description").Should().Be("token from another source");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
