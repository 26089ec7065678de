using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
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
        // Serilog.Settings.Configuration 10 parses enum names ignoring case; the README says so.
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
        logger.ForSecurityEvent().Warning("marked with SecurityEvent, which this configuration does not use");
        await logger.DisposeAsync();

        var received = receiver.Events.Should().ContainSingle().Which;
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

    [Fact]
    public async Task NumbersAndTimeSpansFromJsonReachTheSink()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var (logger, settings) = AppSettings.CreateLoggerWithSettings($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [
                  {
                    "Name": "DynatraceSecurity",
                    "Args": {
                      "environmentUrl": "{{receiver.EnvironmentUrl}}",
                      "accessToken": "{{receiver.AccessToken}}",
                      "batchSizeLimit": 7,
                      "batchSizeLimitBytes": 4096,
                      "queueLimit": 50,
                      "queueLimitBytes": 123456,
                      "bufferingTimeLimit": "00:00:05",
                      "retryTimeLimit": "00:01:30",
                      "requestTimeout": "00:00:07",
                      "shutdownTimeout": "00:00:03"
                    }
                  }
                ]
              }
            }
            """);
        await logger.DisposeAsync();

        settings.BatchSizeLimit.Should().Be(7);
        settings.BatchSizeLimitBytes.Should().Be(4096);
        settings.QueueLimit.Should().Be(50);
        settings.QueueLimitBytes.Should().Be(123456);
        settings.BufferingTimeLimit.Should().Be(TimeSpan.FromSeconds(5));
        settings.RetryTimeLimit.Should().Be(TimeSpan.FromSeconds(90));
        settings.RequestTimeout.Should().Be(TimeSpan.FromSeconds(7));
        settings.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(3));
        settings.Target.Path.Should().Be("/platform/ingest/v1/security.events", "no endpoint means the built-in route");
    }

    [Fact]
    public async Task BatchSizeLimitAndBufferingTimeLimitFromJsonShapeTheRequests()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var (logger, settings) = AppSettings.CreateLoggerWithSettings($$"""
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
                      "batchSizeLimit": 2,
                      "bufferingTimeLimit": "00:10:00"
                    }
                  }
                ]
              }
            }
            """);

        var security = logger.ForSecurityEvent();
        for (var i = 0; i < 5; i++)
            security.Warning("Event {N}", i);
        // A full batch goes out at once whatever the buffering time, so what arrives before the flush depends on
        // timing; the buffering time itself is checked on the settings the sink was built with.
        settings.BufferingTimeLimit.Should().Be(TimeSpan.FromMinutes(10));
        settings.BatchSizeLimit.Should().Be(2);
        await logger.DisposeAsync();

        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().Equal(0, 1, 2, 3, 4);
        receiver.Requests.Should().OnlyContain(r => JsonDocument.Parse(r.Body).RootElement.GetArrayLength() <= 2);
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
        var (logger, settings) = AppSettings.CreateLoggerWithSettings($$"""
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
            """);

        var security = logger.ForSecurityEvent();
        security.Information("below the switch");
        security.Warning("at the switch");
        await receiver.WaitForEventsAsync(1, Deadline);

        settings.LevelSwitch.Should().NotBeNull();
        settings.LevelSwitch!.MinimumLevel = LogEventLevel.Error;
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
