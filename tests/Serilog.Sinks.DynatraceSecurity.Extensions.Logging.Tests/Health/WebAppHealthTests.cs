using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Shared;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;
using static Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests.Health.HealthChecks;

namespace Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests.Health;

/// <summary>
/// The health check in real apps: a WebApplication serving <c>MapHealthChecks("/health")</c>, failures that need a
/// setting fixed (with the endpoint echoing the secret it got), and sinks created outside the host.
/// </summary>
[Collection(HealthCollection.Name)]
public class WebAppHealthTests
{
    const string Token = "dt0c01.HEALTHCHECKPUBLIC.HEALTHCHECKSECRETPART0000000000000000000000000000000000000000";
    const string SecretPart = "HEALTHCHECKSECRETPART0000000000000000000000000000000000000000";

    sealed class Web;

    [Fact]
    public async Task A_revoked_token_makes_GET_health_answer_503_naming_401_and_the_token_without_showing_it()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(); // it does not accept Token: every request is a 401
        receiver.EnqueueResponse(new ScriptedResponse
        {
            StatusCode = 401,
            Body = $"{{\"error\":{{\"code\":401,\"message\":\"Token revoked: Authorization: Api-Token {Token}\"}}}}",
            ContentType = "application/json",
        });
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddDynatraceSecurity(o =>
        {
            Configure(o, receiver, "health.web");
            o.AccessToken = Token;
        });
        builder.Services.AddHealthChecks().AddDynatraceSecurity();
        await using var app = builder.Build();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteJsonAsync });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        app.Services.GetRequiredService<ILogger<Web>>().LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding, "Failed login");
        await receiver.WaitForRequestsAsync(1, Deadline);
        HttpResponseMessage response = null!;
        Eventually.True(() =>
        {
            response = client.GetAsync("/health").GetAwaiter().GetResult();
            return response.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, Deadline, "the 401 makes the check fail");

        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("status").GetString().Should().Be("Unhealthy");
        var description = json.RootElement.GetProperty("description").GetString();
        description.Should().Contain("401").And.Contain("check the access token").And.Contain("health.web");
        body.Should().NotContain(Token).And.NotContain(SecretPart, "no secret appears in the description, the data or an exception");
        body.Should().Contain("\"lastFailureStatus\":401");
        await app.StopAsync();
    }

    [Fact]
    public async Task A_refused_OAuth_client_is_the_failure_status_and_names_the_client_settings_but_never_the_secret()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        for (var i = 0; i < 20; i++)
            receiver.EnqueueTokenResponse(ScriptedResponse.OAuthError(401, "invalid_client", "bad client_secret " + receiver.OAuthClientSecret));
        var logger = new LoggerConfiguration().WriteTo.DynatraceSecurity(o =>
        {
            Configure(o, receiver, "health.oauth");
            o.AccessToken = null;
            o.OAuthClientId = receiver.OAuthClientId;
            o.OAuthClientSecret = receiver.OAuthClientSecret;
            o.OAuthTokenUrl = receiver.OAuthTokenUrl.ToString();
        }).CreateLogger();
        try
        {
            using var services = Services(builder => builder
                .AddDynatraceSecurity()
                .AddDynatraceSecurity("dynatrace-readiness", HealthStatus.Degraded));

            logger.ForSecurityEvent(SecurityEventTypes.DetectionFinding).Warning("Failed login");
            var entry = await UntilAsync(services, e => e.Status != HealthStatus.Healthy, "the refused token request is recorded");

            entry.Status.Should().Be(HealthStatus.Unhealthy, Json(entry));
            entry.Description.Should().Contain("invalid_client").And.Contain("oauthClientId").And.Contain("oauthClientSecret").And.Contain("oauthScope");
            (await CheckAsync(services, "dynatrace-readiness")).Status.Should().Be(HealthStatus.Degraded, "registered so");
            Json(entry).Should().NotContain(receiver.OAuthClientSecret);
            entry.Exception.Should().BeNull();
        }
        finally
        {
            logger.Dispose();
        }
    }

    [Fact]
    public async Task A_static_logger_from_appsettings_and_a_hosts_sink_are_both_reported_until_CloseAndFlush()
    {
        await using var hostReceiver = await DynatraceIngestReceiver.StartAsync();
        await using var staticReceiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { Endpoints = new[] { "contoso.identity" } });
        Log.Logger = new LoggerConfiguration().ReadFrom.Configuration(TestHosts.JsonConfiguration($$"""
            { "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [ { "Name": "DynatraceSecurity", "Args": {
                    "environmentUrl": "{{staticReceiver.EnvironmentUrl}}",
                    "accessToken": "{{staticReceiver.AccessToken}}",
                    "endpoint": "health.deleted",
                    "bufferingTimeLimit": "00:00:00.020",
                    "enrichmentDirectory": "none" } } ] } }
            """)).CreateLogger();
        try
        {
            var builder = TestHosts.CreateBuilder();
            builder.Logging.AddDynatraceSecurity(o => Configure(o, hostReceiver, "health.host"));
            builder.Services.AddHealthChecks().AddDynatraceSecurity();
            using var host = builder.Build();
            await host.StartAsync();

            var both = await CheckAsync(host.Services);
            Has(both, "health.deleted").Should().BeTrue(Json(both));
            Has(both, "health.host").Should().BeTrue();

            Log.Logger.ForSecurityEvent(SecurityEventTypes.DetectionFinding).Warning("Failed login");
            var failing = await UntilAsync(host.Services, e => e.Status != HealthStatus.Healthy, "the 404 is recorded");
            failing.Status.Should().Be(HealthStatus.Unhealthy, Json(failing));
            failing.Description.Should().Contain("404").And.Contain("health.deleted").And.Contain("check the endpoint name and route");
            Sink(failing, "health.host")["state"].Should().Be("healthy");

            await Log.CloseAndFlushAsync();

            var after = await CheckAsync(host.Services);
            Has(after, "health.deleted").Should().BeFalse("a disposed sink leaves the report");
            after.Status.Should().Be(HealthStatus.Healthy, Json(after));
            await host.StopAsync();
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>The report as JSON, as the ASP.NET Core example writes it.</summary>
    static Task WriteJsonAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var entry = report.Entries["dynatrace-security"];
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            description = entry.Description,
            data = entry.Data,
            exception = entry.Exception?.ToString(),
        }));
    }
}
