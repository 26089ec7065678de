using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Audit;

/// <summary><c>AuditTo.DynatraceSecurity(...)</c> with an OAuth client: the same tokens, renewal and 401 handling as batched delivery.</summary>
public class AuditOAuthTests
{
    static Logger AuditLogger(DynatraceIngestReceiver receiver, string? secret = null) =>
        new LoggerConfiguration()
            .AuditTo.DynatraceSecurity(
                environmentUrl: receiver.EnvironmentUrl.ToString(),
                endpoint: "contoso.identity",
                requestTimeout: TimeSpan.FromSeconds(10),
                enrichmentDirectory: "none",
                oauthClientId: receiver.OAuthClientId,
                oauthClientSecret: secret ?? receiver.OAuthClientSecret,
                oauthTokenUrl: receiver.OAuthTokenUrl.ToString())
            .CreateLogger();

    [Fact]
    public async Task ConcurrentLoggingCallsShareOneTokenRequestAndAreEachAccepted()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver);
        // The token request takes a moment, so that every call needs it at once.
        receiver.EnqueueTokenResponse(ScriptedResponse.Hang(TimeSpan.FromMilliseconds(500)));

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => logger.ForSecurityEvent().Warning("Event {N}", i))));

        receiver.Events.Should().HaveCount(6);
        var token = receiver.TokenRequests.Should().ContainSingle().Subject.IssuedToken;
        receiver.Requests.Should().OnlyContain(r => r.Headers["Authorization"] == "Bearer " + token);
    }

    [Fact]
    public async Task ARevokedTokenIsReplacedWithinTheSameCall()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver);
        logger.ForSecurityEvent().Warning("Event {N}", 0);

        receiver.RevokeIssuedTokens();
        logger.ForSecurityEvent().Warning("Event {N}", 1);

        receiver.Requests.Select(r => r.StatusCode).Should().Equal(202, 401, 202);
        receiver.TokenRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task AWrongSecretThrowsWithTheEndpointsErrorAndWhatToCheckButNotTheSecret()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var logger = AuditLogger(receiver, "dt0s02.LOCALRECEIVER.WRONGSECRETFORAUDIT");

        var log = () => logger.ForSecurityEvent().Warning("Failed login for {UserName}", "alice");

        var thrown = log.Should().Throw<AggregateException>().Which;
        var failure = thrown.InnerExceptions.Should().ContainSingle().Which.Should().BeOfType<DynatraceSecurityAuditException>().Which;
        failure.StatusCode.Should().Be(401);
        failure.Message.Should().Contain("invalid_client").And.Contain("check oauthClientId and oauthClientSecret");
        thrown.ToString().Should().NotContain("WRONGSECRETFORAUDIT");
        receiver.Requests.Should().BeEmpty("nothing is sent without a token");
    }
}
