using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Logging;

/// <summary>
/// <see cref="SecurityFinding"/> with <c>ForSecurityEvent</c> (Serilog) and <c>LogSecurityEvent</c> /
/// <c>BeginSecurityScope</c> (<c>ILogger</c>), over loopback HTTP.
/// </summary>
public class SecurityFindingTests
{
    sealed class LoginService;

    static SecurityFinding LockedAccount(string eventType = SecurityEventTypes.DetectionFinding) => new(eventType)
    {
        Type = "Brute force",
        Title = "Account locked",
        ObjectType = "USER_ACCOUNT",
        ObjectId = "alice",
    };

    static void ShouldCarryTheFinding(ReceivedEvent received)
    {
        received.GetString("finding.type").Should().Be("Brute force");
        received.GetString("finding.title").Should().Be("Account locked");
        received.GetString("object.type").Should().Be("USER_ACCOUNT");
        received.GetString("object.id").Should().Be("alice");
    }

    [Fact]
    public async Task ForSecurityEventMarksTheEventsAndSetsTheFinding()
    {
        await using var harness = await SinkHarness.StartAsync();

        harness.Logger.ForSecurityEvent(LockedAccount(SecurityEventTypes.ComplianceFinding))
            .Error("Account {UserName} locked after {Attempts} failed logins", "alice", 5);
        await harness.Logger.DisposeAsync();

        var received = harness.Receiver.Events.Should().ContainSingle().Subject;
        ShouldCarryTheFinding(received);
        received.GetString("event.type").Should().Be("COMPLIANCE_FINDING");
        received.GetString("event.description").Should().Be("Account alice locked after 5 failed logins");
        received.Json.TryGetProperty("SecurityEvent", out _).Should().BeFalse();
    }

    [Fact]
    public async Task ValuesLeftUnsetKeepTheDefaultsAndTheEventsOwnPropertiesWin()
    {
        await using var harness = await SinkHarness.StartAsync();

        harness.Logger.ForSecurityEvent(new SecurityFinding { ObjectType = "USER_ACCOUNT", ObjectId = "alice" })
            .ForContext("object.id", "bob")
            .Warning("Failed login for {UserName}", "bob");
        await harness.Logger.DisposeAsync();

        var received = harness.Receiver.Events.Should().ContainSingle().Subject;
        received.GetString("event.type").Should().Be("DETECTION_FINDING");
        received.GetString("object.type").Should().Be("USER_ACCOUNT");
        received.GetString("object.id").Should().Be("bob", "a property of the event itself wins");
        received.GetString("finding.type").Should().Be("Failed login for {UserName}");
        received.GetString("finding.title").Should().Be("Failed login for bob");
    }

    [Fact]
    public async Task LogSecurityEventAndBeginSecurityScopeTakeAFindingToo()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver);
        var logger = host.Logger<LoginService>();

        logger.LogSecurityEvent(LogLevel.Error, LockedAccount(), "Account {UserName} locked", "alice");
        logger.LogSecurityEvent(LogLevel.Error, LockedAccount(SecurityEventTypes.VulnerabilityFinding), new InvalidOperationException("locked"),
            "Account {UserName} locked", "alice");
        using (logger.BeginSecurityScope(LockedAccount(), new Dictionary<string, object?> { ["object.id"] = "not this", ["actor.ips"] = new[] { "203.0.113.7" } }))
            logger.LogWarning("Failed login for {UserName}", "alice");

        await host.StopAsync();
        host.Dispose();
        var events = receiver.Events;
        events.Should().HaveCount(3);
        events.Should().AllSatisfy(ShouldCarryTheFinding);
        events[0].GetString("event.type").Should().Be("DETECTION_FINDING");
        events[1].GetString("event.type").Should().Be("VULNERABILITY_FINDING");
        events[1].GetString("exception.message").Should().Be("locked");
        events[2].GetString("actor.ips").Should().Be("[\"203.0.113.7\"]");
    }

    [Fact]
    public void AFindingNeedsAnEventTypeAndTheHelpersNeedAFinding()
    {
        var logger = LoggerFactory.Create(_ => { }).CreateLogger("any");

        ((Action)(() => _ = new SecurityFinding(" "))).Should().Throw<ArgumentException>().WithParameterName("eventType");
        ((Action)(() => new LoggerConfiguration().CreateLogger().ForSecurityEvent((SecurityFinding)null!)))
            .Should().Throw<ArgumentNullException>().WithParameterName("finding");
        ((Action)(() => logger.LogSecurityEvent(LogLevel.Warning, (SecurityFinding)null!, "x")))
            .Should().Throw<ArgumentNullException>().WithParameterName("finding");
        ((Action)(() => logger.BeginSecurityScope((SecurityFinding)null!)))
            .Should().Throw<ArgumentNullException>().WithParameterName("finding");
    }
}
