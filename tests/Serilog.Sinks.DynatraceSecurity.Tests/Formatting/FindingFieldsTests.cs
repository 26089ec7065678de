using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>
/// The fields Dynatrace's security apps need, over loopback HTTP: every event carries them by default, and what the
/// event (a property, a scope value, a rename) or a static attribute gives takes the place of the default.
/// </summary>
public class FindingFieldsTests
{
    sealed class LoginService;

    static async Task<ReceivedEvent> SendOne(Action<ILogger> log, Action<DynatraceSecuritySinkOptions>? configure = null)
    {
        await using var harness = await SinkHarness.StartAsync(configure);
        log(harness.Security());
        await harness.Logger.DisposeAsync();
        harness.Fallback.Events.Should().BeEmpty();
        return harness.Receiver.Events.Should().ContainSingle().Subject;
    }

    [Fact]
    public async Task EveryEventIsACompleteFindingByDefault()
    {
        var received = await SendOne(log => log.Warning("Failed login for {UserName}", "alice"));

        var application = Assembly.GetEntryAssembly()!.GetName().Name;
        received.GetString("event.provider").Should().Be(application);
        received.GetString("finding.id").Should().Be(received.GetString("event.id")).And.MatchRegex("^[0-9a-f]{32}$");
        received.GetString("finding.time.created").Should().Be(received.GetString("timestamp"));
        received.GetString("finding.title").Should().Be("Failed login for alice");
        received.GetString("finding.type").Should().Be("Failed login for {UserName}");
        received.GetString("finding.severity").Should().Be("MEDIUM");
        received.GetString("dt.security.risk.level").Should().Be("MEDIUM");
        received.Json.GetProperty("dt.security.risk.score").ValueKind.Should().Be(JsonValueKind.Number);
        received.Json.GetProperty("dt.security.risk.score").GetDouble().Should().Be(5.5);
        received.GetString("object.type").Should().Be("PROCESS");
        received.GetString("object.id").Should().Be(application);
    }

    [Fact]
    public async Task TheEventProviderOptionNamesTheApplicationInBothPlaces()
    {
        var received = await SendOne(log => log.Warning("x"), o => o.EventProvider = "Contoso.Identity");

        received.GetString("event.provider").Should().Be("Contoso.Identity");
        received.GetString("object.id").Should().Be("Contoso.Identity");
    }

    [Fact]
    public async Task RiskLevelAndScoreFollowTheLevelInsideDynatracesBands()
    {
        await using var harness = await SinkHarness.StartAsync();
        var levels = new[] { LogEventLevel.Fatal, LogEventLevel.Error, LogEventLevel.Warning, LogEventLevel.Information, LogEventLevel.Verbose };
        foreach (var level in levels)
            harness.Security().Write(level, "Level {Level}", level);
        await harness.Logger.DisposeAsync();

        var events = harness.Receiver.Events;
        events.Select(e => e.GetString("dt.security.risk.level")).Should().Equal("CRITICAL", "HIGH", "MEDIUM", "LOW", "LOW");
        events.Select(e => e.GetString("finding.severity")).Should().Equal("CRITICAL", "HIGH", "MEDIUM", "LOW", "LOW");
        events.Select(e => e.Json.GetProperty("dt.security.risk.score").GetDouble()).Should().Equal(9.5, 8.0, 5.5, 2.5, 2.5);
        events.Should().OnlyContain(e => e.Json.GetProperty("dt.security.risk.score").GetRawText().Contains('.'),
            "every score is written with a fraction, so Dynatrace sees one numeric type");
    }

    [Theory]
    [InlineData("CRITICAL", "CRITICAL", 9.5)]
    [InlineData("high", "HIGH", 8.0)]
    [InlineData("SEVERE", "LOW", 2.5)] // not one of the four: the level decides
    public async Task AFindingSeverityTheEventSetsDecidesTheRiskLevel(string severity, string riskLevel, double score)
    {
        var received = await SendOne(log => log.ForContext("finding.severity", severity).Information("x"));

        received.GetString("finding.severity").Should().Be(severity, "the event's own value is kept");
        received.GetString("dt.security.risk.level").Should().Be(riskLevel);
        received.Json.GetProperty("dt.security.risk.score").GetDouble().Should().Be(score);
    }

    [Fact]
    public async Task AStaticFindingSeverityDecidesTheRiskLevelToo()
    {
        var received = await SendOne(log => log.Information("x"),
            o => o.StaticAttributes = new Dictionary<string, string> { ["finding.severity"] = "HIGH" });

        received.GetString("dt.security.risk.level").Should().Be("HIGH");
        received.Json.GetProperty("dt.security.risk.score").GetDouble().Should().Be(8.0);
    }

    [Fact]
    public async Task AGivenRiskLevelDecidesTheScoreAndAGivenScoreIsKept()
    {
        var none = await SendOne(log => log.ForContext("dt.security.risk.level", "NONE").Error("x"));
        var critical = await SendOne(log => log.ForContext("dt.security.risk.level", "CRITICAL").Information("x"));
        var scored = await SendOne(log => log.ForContext("dt.security.risk.score", 7.3).Error("x"));

        none.GetString("dt.security.risk.level").Should().Be("NONE");
        none.Json.TryGetProperty("dt.security.risk.score", out _).Should().BeFalse("NONE has no band");
        critical.Json.GetProperty("dt.security.risk.score").GetDouble().Should().Be(9.5);
        critical.GetString("finding.severity").Should().Be("LOW", "finding.severity stays the level's");
        scored.Json.GetProperty("dt.security.risk.score").GetDouble().Should().Be(7.3);
        scored.GetString("dt.security.risk.level").Should().Be("HIGH");
    }

    [Fact]
    public async Task TheTitleIsTheMessageCutToTheDisplayLength()
    {
        var text = new string('a', 300) + "\U0001F600";
        var received = await SendOne(log => log.Warning("Suspicious input {Input}", text));

        var title = received.GetString("finding.title")!;
        title.Length.Should().Be(256);
        title.Should().StartWith("Suspicious input aaa").And.EndWith("…");
        received.GetString("event.description").Should().Be("Suspicious input " + text, "the description stays whole");
    }

    [Fact]
    public async Task TheEventsOwnValuesTakeThePlaceOfTheDefaults()
    {
        var received = await SendOne(log => log
            .ForContext("event.id", "my-event")
            .ForContext("finding.type", "Brute force")
            .ForContext("finding.title", "Repeated failed logins")
            .ForContext("object.type", "USER_ACCOUNT")
            .ForContext("object.id", "alice")
            .ForContext("event.provider", "Contoso.Identity")
            .Warning("Failed login for {UserName}", "alice"));

        received.GetString("finding.type").Should().Be("Brute force");
        received.GetString("finding.title").Should().Be("Repeated failed logins");
        received.GetString("object.type").Should().Be("USER_ACCOUNT");
        received.GetString("object.id").Should().Be("alice");
        received.GetString("event.provider").Should().Be("Contoso.Identity");
        received.GetString("finding.id").Should().Be("my-event", "finding.id is the event.id as sent");
        received.GetString("event.description").Should().Be("Failed login for alice");
    }

    [Fact]
    public async Task ARenameStaticAttributesAndThePrecedenceBetweenThem()
    {
        var received = await SendOne(
            log => log.Warning("Failed login for {UserName}", "alice"),
            o =>
            {
                o.PropertyNames = new Dictionary<string, string> { ["UserName"] = "object.id" };
                o.StaticAttributes = new Dictionary<string, string> { ["object.type"] = "USER_ACCOUNT", ["object.id"] = "from-static" };
            });

        received.GetString("object.id").Should().Be("alice", "a renamed property beats a static attribute");
        received.GetString("object.type").Should().Be("USER_ACCOUNT", "a static attribute beats the default");
        received.Json.TryGetProperty("UserName", out _).Should().BeFalse();
    }

    [Fact]
    public async Task ScopeValuesAndMicrosoftEventIdsFillTheFindingThroughILogger()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver);
        var logger = host.Logger<LoginService>();

        using (logger.BeginSecurityScope(SecurityEventTypes.DetectionFinding,
                   new Dictionary<string, object?> { ["object.type"] = "USER_ACCOUNT", ["object.id"] = "alice" }))
        {
            logger.LogWarning(new EventId(17, "LoginFailed"), "Failed login for {UserName}", "alice");
            logger.LogWarning(new EventId(18), "Account {UserName} locked", "alice");
        }

        await host.StopAsync();
        host.Dispose();
        var events = receiver.Events;
        events.Select(e => e.GetString("finding.type")).Should().Equal("LoginFailed", "Account {UserName} locked");
        events.Should().OnlyContain(e => e.GetString("object.type") == "USER_ACCOUNT" && e.GetString("object.id") == "alice");
    }
}
