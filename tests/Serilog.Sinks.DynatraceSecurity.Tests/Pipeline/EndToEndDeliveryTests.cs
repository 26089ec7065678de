using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Pipeline;

public class EndToEndDeliveryTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task TheQuickStartDeliversMarkedEventsAndIgnoresTheRest()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = new LoggerConfiguration()
            .WriteTo.DynatraceSecurity(
                environmentUrl: receiver.EnvironmentUrl.ToString(),
                accessToken: receiver.AccessToken,
                endpoint: "contoso.identity")
            .CreateLogger();

        logger.ForSecurityEvent(SecurityEventTypes.DetectionFinding)
            .Warning("Failed login for {UserName} from {ClientIp}", "alice", "203.0.113.7");
        logger.Information("not a security event: this sink ignores it");
        logger.ForContext("SecurityEvent", false).Warning("false is not a marker");
        logger.ForContext("SecurityEvent", " ").Warning("white space is not a marker");
        logger.ForContext("SecurityEvent", 1).Warning("a number is not a marker");
        logger.ForContext("SecurityEvent", true).Error("true is a marker");
        logger.Dispose();

        receiver.Events.Select(e => e.GetString("event.description"))
            .Should().Equal("Failed login for alice from 203.0.113.7", "true is a marker");
        receiver.Events.Select(e => e.GetString("event.type")).Should().Equal("DETECTION_FINDING", "DETECTION_FINDING");
        receiver.Events.Should().OnlyContain(e => e.Request.Route == DynatraceIngestRouteKind.CustomSecurityEvents && e.Request.Endpoint == "contoso.identity");
    }

    [Fact]
    public async Task MarkersFromEnrichersAndLogContextWorkLikeForContext()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = new LoggerConfiguration()
            .Enrich.FromLogContext()
            .WriteTo.DynatraceSecurity(o =>
            {
                o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
                o.AccessToken = receiver.AccessToken;
                o.Endpoint = "contoso.identity";
            })
            .CreateLogger();

        using (Serilog.Context.LogContext.PushProperty("SecurityEvent", SecurityEventTypes.ComplianceFinding))
            logger.Information("from log context");
        logger.Information("outside the context");
        logger.Dispose();

        receiver.Events.Should().ContainSingle().Which.GetString("event.type").Should().Be("COMPLIANCE_FINDING");
    }

    [Fact]
    public async Task CloseAndFlushDeliversEverythingQueuedInSeveralBatches()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.BatchSizeLimit = 100;
            // Nothing would be sent before disposal but the eagerly sent first event.
            o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
        });

        harness.LogNumbered(1050);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().Equal(Enumerable.Range(0, 1050));
        harness.Receiver.Requests.Should().OnlyContain(r => r.StatusCode == 202);
        harness.Receiver.Requests.Count.Should().BeGreaterThanOrEqualTo(11);
        harness.Fallback.Events.Should().BeEmpty();
        harness.Metrics.Sent.Should().Be(1050);
        harness.Metrics.TotalDropped.Should().Be(0);
    }

    [Fact]
    public async Task RequestsCarryTheDocumentedHeadersAndNoQueryString()
    {
        await using var harness = await SinkHarness.StartAsync();

        harness.Security().Warning("x");
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        var request = harness.Receiver.Requests.Single();
        request.Method.Should().Be("POST");
        request.QueryString.Should().BeEmpty();
        request.AuthorizationScheme.Should().Be("Api-Token");
        request.Headers["Authorization"].Should().Be("Api-Token " + harness.Receiver.AccessToken);
        request.Headers["Content-Type"].Should().Be("application/json; charset=utf-8");
        request.Headers["Accept"].Should().Be("application/json");
        request.Headers["User-Agent"].Should().MatchRegex(@"^Serilog\.Sinks\.DynatraceSecurity/\d+\.\d+\.\d+");
        request.Headers.Keys.Should().NotContain(k => k.Equals("traceparent", StringComparison.OrdinalIgnoreCase));
        request.Body[0].Should().Be((byte)'[', "the body is a JSON array of events");
    }

    [Fact]
    public async Task PlatformTokensAreSentAsBearer()
    {
        const string platformToken = "dt0s16.PLATFORMTOKEN.PLATFORMSECRET";
        var receiverOptions = new DynatraceIngestReceiverOptions();
        receiverOptions.AcceptedTokens.Add(platformToken);
        await using var harness = await SinkHarness.StartAsync(o => o.AccessToken = platformToken, receiverOptions);

        harness.Security().Warning("x");
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        harness.Receiver.Requests.Single().Headers["Authorization"].Should().Be("Bearer " + platformToken);
    }

    [Theory]
    [InlineData(DynatraceSecurityRoute.SecurityEvents, "contoso.identity", DynatraceIngestRouteKind.CustomSecurityEvents)]
    [InlineData(DynatraceSecurityRoute.LegacyEventsSecurity, "contoso.identity", DynatraceIngestRouteKind.CustomEventsSecurityLegacy)]
    [InlineData(DynatraceSecurityRoute.SecurityEvents, null, DynatraceIngestRouteKind.BuiltInSecurityEvents)]
    [InlineData(DynatraceSecurityRoute.LegacyEventsSecurity, null, DynatraceIngestRouteKind.BuiltInEventsSecurityLegacy)]
    public async Task EachRouteReachesItsEndpoint(DynatraceSecurityRoute route, string? endpoint, DynatraceIngestRouteKind expected)
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.Route = route;
            o.Endpoint = endpoint;
        });

        harness.Security().Warning("x");
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        var request = harness.Receiver.Requests.Single();
        request.Route.Should().Be(expected);
        request.Endpoint.Should().Be(endpoint);
        request.StatusCode.Should().Be(202);
    }

    [Fact]
    public async Task TheMinimumLevelAndTheLevelSwitchApply()
    {
        var levelSwitch = new LoggingLevelSwitch(LogEventLevel.Error);
        await using var harness = await SinkHarness.StartAsync(o => o.LevelSwitch = levelSwitch);

        harness.Security().Warning("below the switch");
        levelSwitch.MinimumLevel = LogEventLevel.Warning;
        harness.Security().Warning("at the switch");
        await harness.Logger.DisposeAsync();

        harness.Receiver.Events.Select(e => e.GetString("event.description")).Should().Equal("at the switch");
    }

    [Fact]
    public async Task RestrictedToMinimumLevelFiltersWithoutBreakingTheFailureListener()
    {
        await using var harness = await SinkHarness.StartAsync(o => o.RestrictedToMinimumLevel = LogEventLevel.Error);
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(400));

        harness.Security().Warning("below the minimum");
        harness.Security().Error("rejected");
        await harness.Logger.DisposeAsync();

        harness.Receiver.Requests.Should().ContainSingle();
        harness.Fallback.Events.Select(e => e.MessageTemplate.Text).Should().Equal("rejected");
    }
}
