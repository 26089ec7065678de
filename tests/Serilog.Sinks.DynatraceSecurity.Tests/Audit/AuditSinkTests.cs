using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Audit;

/// <summary>
/// <c>AuditTo.DynatraceSecurity(...)</c> over loopback HTTP: the logging call returns only once the receiver has
/// accepted the event, and throws (through Serilog's audit pipeline) when it did not.
/// </summary>
public class AuditSinkTests
{
    static Logger AuditLogger(DynatraceIngestReceiver receiver, Action<DynatraceSecurityOptions>? configure = null) =>
        new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .AuditTo.DynatraceSecurity(o =>
            {
                o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
                o.AccessToken = receiver.AccessToken;
                o.Endpoint = "contoso.identity";
                o.RequestTimeout = TimeSpan.FromSeconds(10);
                o.EnrichmentDirectory = "none";
                configure?.Invoke(o);
            })
            .CreateLogger();

    static DynatraceSecurityAuditException AuditFailure(Action log, string token)
    {
        var thrown = log.Should().Throw<AggregateException>("Serilog wraps exceptions from audit sinks").Which;
        thrown.ToString().Should().NotContain(token).And.NotContain("Failed login for");
        return thrown.InnerExceptions.Should().ContainSingle().Which.Should().BeOfType<DynatraceSecurityAuditException>().Which;
    }

    [Fact]
    public async Task TheCallReturnsOnlyAfterTheEventWasAccepted()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver);

        logger.ForSecurityEvent().Warning("Failed login for {UserName}", "alice");

        // No waiting and no flush: the request was answered before Warning returned.
        var received = receiver.Events.Should().ContainSingle().Which;
        received.GetString("event.description").Should().Be("Failed login for alice");
        received.GetString("event.kind").Should().Be("SECURITY_EVENT");
        received.GetString("finding.severity").Should().Be("MEDIUM");
        received.Request.Endpoint.Should().Be("contoso.identity");
        received.Request.Body[0].Should().Be((byte)'[', "the body is a JSON array, as for batches");
    }

    [Fact]
    public async Task UnmarkedEventsAndEventsBelowTheLevelAreIgnoredWithoutThrowing()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver, o => o.RestrictedToMinimumLevel = Events.LogEventLevel.Warning);
        receiver.EnqueueResponse(ScriptedResponse.Status(503));

        logger.Information("not a security event");
        logger.ForSecurityEvent().Information("below the minimum level");

        receiver.Requests.Should().BeEmpty();
        receiver.PendingScriptedResponses.Should().Be(1);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(503)]
    public async Task ARejectedEventThrowsWithTheStatusAndNeverTheTokenOrPayload(int status)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Status(status));

        var failure = AuditFailure(
            () => logger.ForSecurityEvent().Warning("Failed login for {UserName}", "alice"), receiver.AccessToken);

        failure.StatusCode.Should().Be(status);
        failure.Message.Should().Contain(status.ToString()).And.Contain("/platform/ingest/custom/security.events/contoso.identity");
        receiver.Events.Should().BeEmpty();
        receiver.Requests.Should().ContainSingle("audit mode does not retry: the caller decides");
    }

    [Fact]
    public async Task ADroppedConnectionThrows()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Drop());

        var failure = AuditFailure(
            () => logger.ForSecurityEvent().Error("Failed login for {UserName}", "alice"), receiver.AccessToken);

        failure.StatusCode.Should().Be(0);
        failure.Message.Should().Contain("/platform/ingest/custom/security.events/contoso.identity");
    }

    [Fact]
    public async Task AnEndpointThatDoesNotAnswerInTimeThrows()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver, o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));
        receiver.EnqueueResponse(ScriptedResponse.Hang(Timeout.InfiniteTimeSpan));

        var failure = AuditFailure(
            () => logger.ForSecurityEvent().Error("Failed login for {UserName}", "alice"), receiver.AccessToken);

        failure.StatusCode.Should().Be(0);
    }

    [Fact]
    public async Task AWrongTokenIsReportedWithoutEchoingIt()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        const string wrongToken = "dt0c01.WRONGPUBLIC.WRONGSECRETPART";
        using var logger = AuditLogger(receiver, o => o.AccessToken = wrongToken);

        var failure = AuditFailure(() => logger.ForSecurityEvent().Warning("Failed login for {UserName}", "alice"), wrongToken);

        failure.StatusCode.Should().Be(401);
        failure.ToString().Should().NotContain("WRONGSECRETPART");
    }

    [Fact]
    public async Task ConcurrentCallersEachWaitForTheirOwnEvent()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver);
        var security = logger.ForSecurityEvent();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 10; i++)
            {
                var n = worker * 10 + i;
                security.Warning("Event {N}", n);
                receiver.Events.Should().Contain(e => e.Json.GetProperty("N").GetInt32() == n);
            }
        })));

        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().BeEquivalentTo(Enumerable.Range(0, 80));
        receiver.Events.Select(e => e.GetString("event.id")).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task TheSameOptionsShapeTheEventAsForWriteTo()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = new LoggerConfiguration()
            .AuditTo.DynatraceSecurity(
                environmentUrl: receiver.EnvironmentUrl.ToString(),
                accessToken: receiver.AccessToken,
                endpoint: "contoso.identity",
                route: DynatraceSecurityRoute.LegacyEventsSecurity,
                markerProperty: "Audit",
                defaultEventType: SecurityEventTypes.ComplianceFinding,
                eventProvider: "Contoso.Identity",
                staticAttributes: new System.Collections.Generic.Dictionary<string, string> { ["deployment.environment"] = "test" },
                propertyNames: new System.Collections.Generic.Dictionary<string, string> { ["UserName"] = "actor.name" },
                redactedProperties: new[] { "iban" })
            .CreateLogger();

        logger.ForContext("Audit", true).ForContext("Iban", "DE00").ForContext("Token", "kept: the list was replaced")
            .Warning("Password reset by {UserName}", "alice");

        var received = receiver.Events.Should().ContainSingle().Which;
        received.Request.Route.Should().Be(DynatraceIngestRouteKind.CustomEventsSecurityLegacy);
        received.GetString("event.type").Should().Be("COMPLIANCE_FINDING");
        received.GetString("event.provider").Should().Be("Contoso.Identity");
        received.GetString("deployment.environment").Should().Be("test");
        received.GetString("actor.name").Should().Be("alice");
        received.GetString("Iban").Should().Be("[REDACTED]");
        received.GetString("Token").Should().Be("kept: the list was replaced");
    }

    [Fact]
    public async Task AnEventOverTheEventLimitIsCutToFitAndSentWithAnIdLikeBatchedEvents()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = new LoggerConfiguration()
            .AuditTo.DynatraceSecurity(
                environmentUrl: receiver.EnvironmentUrl.ToString(),
                accessToken: receiver.AccessToken,
                endpoint: "contoso.identity",
                eventBodyLimitBytes: 2048)
            .CreateLogger();

        logger.ForSecurityEvent().Warning("Role granted to {UserName} {Padding}", "alice", new string('x', 5000));

        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.Body.Length.Should().BeLessThanOrEqualTo(2048 + 2);
        var received = receiver.Events.Should().ContainSingle().Subject;
        received.Json.GetProperty("serilog.truncated").GetBoolean().Should().BeTrue();
        received.GetString("Padding").Should().StartWith("xxx").And.EndWith("…");
        received.GetString("UserName").Should().Be("alice");
        received.GetString("event.id").Should().MatchRegex("^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$");
    }

    [Fact]
    public async Task AnEventThatCannotBeCutToFitThrowsWithoutBeingSent()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver, o => o.EventBodyLimitBytes = 2048);

        var failure = AuditFailure(
            () => logger.ForSecurityEvent().ForContext("Numbers", Enumerable.Range(0, 2000).ToArray())
                .Warning("Failed login for {UserName}", "alice"),
            receiver.AccessToken);

        failure.StatusCode.Should().Be(0);
        failure.Message.Should().Contain("does not fit eventBodyLimitBytes (2048)").And.NotContain("1999");
        receiver.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task AuditToFromAppSettingsBlocksUntilAccepted()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "AuditTo": [
                  {
                    "Name": "DynatraceSecurity",
                    "Args": {
                      "environmentUrl": "{{receiver.EnvironmentUrl}}",
                      "accessToken": "{{receiver.AccessToken}}",
                      "endpoint": "contoso.identity",
                      "requestTimeout": "00:00:10",
                      "eventBodyLimitBytes": 2048,
                      "staticAttributes": { "deployment.environment": "production" }
                    }
                  }
                ]
              }
            }
            """);

        logger.ForSecurityEvent().Warning("Failed login for {UserName} {Padding}", "alice", new string('x', 5000));
        var received = receiver.Events.Should().ContainSingle().Subject;
        received.GetString("deployment.environment").Should().Be("production");
        received.Json.GetProperty("serilog.truncated").GetBoolean().Should().BeTrue("eventBodyLimitBytes applies to audit mode");
        receiver.Requests.Single().Body.Length.Should().BeLessThanOrEqualTo(2048 + 2);

        receiver.EnqueueResponse(ScriptedResponse.Status(500));
        AuditFailure(() => logger.ForSecurityEvent().Warning("Failed login for {UserName}", "bob"), receiver.AccessToken)
            .StatusCode.Should().Be(500);
    }
}
