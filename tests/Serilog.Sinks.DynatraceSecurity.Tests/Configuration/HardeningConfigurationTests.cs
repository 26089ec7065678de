using System;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Configuration;

/// <summary>The hardening options set from appsettings.json through Serilog.Settings.Configuration.</summary>
public class HardeningConfigurationTests
{
    static string Json(DynatraceIngestReceiver receiver, string extraArgs) => $$"""
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
                  {{extraArgs}}
                }
              }
            ]
          }
        }
        """;

    [Fact]
    public async Task RedactedPropertiesAndEventBodyLimitBytesComeFromJson()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = AppSettings.CreateLogger(Json(receiver, """
            "redactedProperties": [ "ssn", "Iban" ],
            "eventBodyLimitBytes": 2048
            """));

        logger.ForSecurityEvent()
            .ForContext("SSN", "123-45-6789")
            .ForContext("iban", "DE00")
            .ForContext("Password", "not in the configured list")
            .Warning("Long {Text}", new string('t', 10_000));
        await logger.DisposeAsync();

        var received = receiver.Events.Should().ContainSingle().Which;
        received.GetString("SSN").Should().Be("[REDACTED]");
        received.GetString("iban").Should().Be("[REDACTED]");
        received.GetString("Password").Should().Be("not in the configured list");
        received.Request.Body.Length.Should().BeLessThanOrEqualTo(2050);
        received.Json.GetProperty("serilog.truncated").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task AnEmptyArrayTurnsRedactionOffFromJson()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = AppSettings.CreateLogger(Json(receiver, """
            "redactedProperties": []
            """));

        logger.ForSecurityEvent().ForContext("Token", "visible on purpose").Warning("x");
        await logger.DisposeAsync();

        receiver.Events.Should().ContainSingle().Which.GetString("Token").Should().Be("visible on purpose");
    }

    [Fact]
    public async Task WithoutTheOptionTheDefaultNamesAreRedacted()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = AppSettings.CreateLogger(Json(receiver, "\"markerProperty\": \"SecurityEvent\""));

        logger.ForSecurityEvent().ForContext("Token", "t-1").Warning("x");
        await logger.DisposeAsync();

        receiver.Events.Should().ContainSingle().Which.GetString("Token").Should().Be("[REDACTED]");
    }
}
