using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests;

/// <summary>The options from appsettings.json and from code; mistakes fail when the app starts, naming the key.</summary>
public class OptionsTests
{
    [Fact]
    public async Task TheOptionsBindFromAConfigurationSection()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            AddJson(builder, """{ "SecurityEvents": { "FloodControl": { "MaxEvents": 1, "Window": "00:30:00" } } }""");
            builder.Services.AddAuthentication().AddJwtBearer(o => o.TokenValidationParameters = Tokens.ValidationParameters());
            builder.Services.AddAuthorization();
            builder.Services.AddSecurityEvents(builder.Configuration.GetSection("SecurityEvents"));
        }, web => web.MapGet("/api/orders", () => "orders").RequireAuthorization());

        var options = app.Services.GetRequiredService<IOptions<SecurityEventsOptions>>().Value;
        options.FloodControl.MaxEvents.Should().Be(1);
        options.FloodControl.Window.Should().Be(TimeSpan.FromMinutes(30));
        for (var i = 0; i < 3; i++)
            (await app.GetAsync("/api/orders", bearer: Tokens.Expired("erin"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var events = await app.StopAsync();
        events.Should().HaveCount(2, "one event and one summary: MaxEvents is 1");
        events.Single(e => e.Has("event.count")).Long("event.count").Should().Be(2);
    }

    [Fact]
    public async Task AMisspelledKeyFailsAtStartupNamingIt()
    {
        var failure = await StartFailureAsync(builder =>
        {
            AddJson(builder, """{ "SecurityEvents": { "FloodControl": { "MaxEvent": 5 } } }""");
            builder.Services.AddSecurityEvents(builder.Configuration.GetSection("SecurityEvents"));
        });

        failure.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("'MaxEvent'");
    }

    [Fact]
    public async Task ValuesOutOfRangeFailAtStartupNamingTheKeysFromConfigurationAndFromCode()
    {
        var fromConfiguration = await StartFailureAsync(builder =>
        {
            AddJson(builder, """{ "SecurityEvents": { "FloodControl": { "MaxEvents": 0, "Window": "02:00:00" } } }""");
            builder.Services.AddSecurityEvents(builder.Configuration.GetSection("SecurityEvents"));
        });
        var fromCode = await StartFailureAsync(builder => builder.Services.AddSecurityEvents(o => o.FloodControl.Window = TimeSpan.Zero));

        fromConfiguration.Should().BeOfType<OptionsValidationException>().Which.Message.Should()
            .Contain("FloodControl:MaxEvents must be 1 to 10,000; it is 0").And.Contain("FloodControl:Window must be 00:00:01 to 01:00:00; it is 02:00:00");
        fromCode.Should().BeOfType<OptionsValidationException>().Which.Message.Should().Contain("FloodControl:Window").And.NotContain("MaxEvents");
    }

    static void AddJson(WebApplicationBuilder builder, string json) =>
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    static async Task<Exception?> StartFailureAsync(Action<WebApplicationBuilder> services)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var builder = TestApp.CreateBuilder(receiver, new CapturedLogs());
        services(builder);
        await using var app = builder.Build();
        var start = await Record.ExceptionAsync(() => app.StartAsync());
        if (start == null)
            await app.StopAsync();
        return start;
    }
}
