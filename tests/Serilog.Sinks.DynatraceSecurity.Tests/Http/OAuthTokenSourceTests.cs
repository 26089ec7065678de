using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Http;

/// <summary>
/// The OAuth token source against the local receiver's token endpoint over loopback HTTP, with its cache on a fake clock:
/// when tokens are reused and renewed, and that one token request serves every caller that needs it at once.
/// </summary>
public sealed class OAuthTokenSourceTests : IAsyncLifetime
{
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    readonly HttpClient _http = new();
    DynatraceIngestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await DynatraceIngestReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _receiver.DisposeAsync();
    }

    internal static DynatraceSecuritySinkOptions OAuthOptions(DynatraceIngestReceiver receiver, Action<DynatraceSecuritySinkOptions>? configure = null) =>
        TestOptions.Create(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = null;
            o.OAuthClientId = receiver.OAuthClientId;
            o.OAuthClientSecret = receiver.OAuthClientSecret;
            o.OAuthTokenUrl = receiver.OAuthTokenUrl.ToString();
            configure?.Invoke(o);
        });

    OAuthTokenSource Source(Action<DynatraceSecuritySinkOptions>? configure = null, DynatraceIngestReceiver? receiver = null)
    {
        var client = SinkSettings.From(OAuthOptions(receiver ?? _receiver, configure)).Credentials;
        return new OAuthTokenSource(_http, client, TimeSpan.FromSeconds(10), _clock);
    }

    static async Task<Credential> TokenAsync(OAuthTokenSource source)
    {
        var result = await source.GetAsync(CancellationToken.None);
        result.Failure.Should().BeNull();
        return result;
    }

    [Theory]
    [InlineData(300, 60)]
    [InlineData(600, 60)]
    [InlineData(60, 12)]
    [InlineData(3, 0.6)]
    [InlineData(0, 0)]
    public void TokensAreRenewedAMinuteBeforeTheyExpireOrAFifthOfTheirLifetimeWhenThatIsShorter(double lifetime, double margin) =>
        OAuthTokenSource.RenewalMargin(TimeSpan.FromSeconds(lifetime)).Should().Be(TimeSpan.FromSeconds(margin));

    [Fact]
    public async Task TheTokenIsRequestedWithTheDocumentedFormFieldsAndSentAsBearer()
    {
        var source = Source(o => o.OAuthResource = "urn:dtaccount:0f5c1a2b-1111-2222-3333-444455556666");

        var credential = await TokenAsync(source);

        credential.Scheme.Should().Be("Bearer");
        var request = _receiver.TokenRequests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Headers["Content-Type"].Should().StartWith("application/x-www-form-urlencoded");
        request.Headers.Should().NotContainKey("Authorization", "the client authenticates in the form, as Dynatrace documents");
        request.Form.Should().BeEquivalentTo(new System.Collections.Generic.Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = _receiver.OAuthClientId,
            ["client_secret"] = _receiver.OAuthClientSecret,
            ["scope"] = "openpipeline:security.events.custom:ingest",
            ["resource"] = "urn:dtaccount:0f5c1a2b-1111-2222-3333-444455556666",
        });
        credential.Value.Should().Be(request.IssuedToken);
        credential.ToString().Should().NotContain(credential.Value);
    }

    [Fact]
    public async Task ATokenIsReusedUntilItsRenewalMarginAndThenRenewed()
    {
        var source = Source();

        var first = await TokenAsync(source);
        _clock.Advance(TimeSpan.FromSeconds(240) - TimeSpan.FromMilliseconds(1));
        var reused = await TokenAsync(source);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var renewed = await TokenAsync(source);

        reused.Should().BeSameAs(first, "the token is valid for 300 s and renewed 60 s before that");
        renewed.Value.Should().NotBe(first.Value);
        renewed.Generation.Should().BeGreaterThan(first.Generation!.Value);
        _receiver.TokenRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task AShortLivedTokenIsRenewedAFifthOfItsLifetimeBeforeItExpires()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { OAuthTokenLifetime = TimeSpan.FromSeconds(5) });
        var source = Source(receiver: receiver);

        var first = await TokenAsync(source);
        _clock.Advance(TimeSpan.FromSeconds(3.9));
        (await TokenAsync(source)).Should().BeSameAs(first);
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        (await TokenAsync(source)).Should().NotBeSameAs(first);
    }

    [Fact]
    public async Task CallersThatNeedATokenAtOnceShareOneTokenRequest()
    {
        var source = Source();
        _receiver.EnqueueTokenResponse(ScriptedResponse.Hang(TimeSpan.FromSeconds(1)));

        var callers = Enumerable.Range(0, 8).Select(_ => source.GetAsync(CancellationToken.None).AsTask()).ToArray();
        var results = await Task.WhenAll(callers);

        results.Should().OnlyContain(c => c.Failure == null).And.OnlyContain(c => ReferenceEquals(c, results[0]));
        _receiver.TokenRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task ACallerThatStopsWaitingLeavesTheTokenRequestToTheOthers()
    {
        var source = Source();
        _receiver.EnqueueTokenResponse(ScriptedResponse.Hang(TimeSpan.FromSeconds(1)));
        using var impatient = new CancellationTokenSource();

        var waiting = source.GetAsync(impatient.Token).AsTask();
        var patient = source.GetAsync(CancellationToken.None).AsTask();
        impatient.Cancel();

        var gaveUp = await waiting;
        gaveUp.Failure!.TimedOut.Should().BeTrue();
        gaveUp.Failure.FromTokenEndpoint.Should().BeTrue();
        (await patient).Failure.Should().BeNull();
        _receiver.TokenRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task AFailedTokenRequestIsNotRememberedTheNextCallerTriesAgain()
    {
        var source = Source();
        _receiver.EnqueueTokenResponse(ScriptedResponse.OAuthError(503, "temporarily_unavailable", "try later"));

        var failed = await source.GetAsync(CancellationToken.None);
        var next = await source.GetAsync(CancellationToken.None);

        failed.Failure!.StatusCode.Should().Be(503);
        failed.Failure.FromTokenEndpoint.Should().BeTrue();
        failed.Failure.OAuthError.Should().Be("temporarily_unavailable");
        failed.Failure.Message.Should().Be("temporarily_unavailable: try later");
        next.Failure.Should().BeNull();
        _receiver.TokenRequests.Select(r => r.StatusCode).Should().Equal(503, 200);
    }

    [Fact]
    public async Task ADiscardedTokenIsReplacedButAStaleDiscardLeavesTheNewOne()
    {
        var source = Source();
        var first = await TokenAsync(source);

        source.Discard(first.Generation!.Value);
        var second = await TokenAsync(source);
        source.Discard(first.Generation.Value);
        var third = await TokenAsync(source);

        second.Value.Should().NotBe(first.Value);
        third.Should().BeSameAs(second, "another caller's 401 for the old token must not throw the new one away");
        _receiver.TokenRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task AnAnswerWithoutAUsableTokenIsAFailureAndAnUnreadableLifetimeServesOneRequest()
    {
        var source = Source();
        _receiver.EnqueueTokenResponse(new ScriptedResponse { StatusCode = 200, Body = "{\"token_type\":\"Bearer\",\"expires_in\":300}" });
        _receiver.EnqueueTokenResponse(new ScriptedResponse { StatusCode = 200, Body = "{\"access_token\":\"a b\"}" });
        _receiver.EnqueueTokenResponse(new ScriptedResponse { StatusCode = 200, Body = "{\"access_token\":\"opaque\",\"expires_in\":\"soon\"}" });

        var missing = await source.GetAsync(CancellationToken.None);
        var unusable = await source.GetAsync(CancellationToken.None);
        var once = await TokenAsync(source);
        var next = await TokenAsync(source);

        missing.Failure!.StatusCode.Should().Be(200);
        missing.Failure.FromTokenEndpoint.Should().BeTrue();
        unusable.Failure!.Message.Should().Contain("access_token");
        once.Value.Should().Be("opaque");
        next.Value.Should().NotBe("opaque", "a token whose lifetime cannot be read is renewed for the next request");
    }

    [Fact]
    public async Task SecretsAndTokensAreRemovedFromWhatTheTokenEndpointEchoes()
    {
        // A secret with characters a form body encodes, so that the echo of the form differs from the secret.
        const string secret = "dt0s02.ECHO.se+cr/et=SECRETPART0123456789";
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions
        {
            OAuthClientId = "dt0s02.ECHO",
            OAuthClientSecret = secret,
        });
        var source = Source(receiver: receiver);
        var token = (await TokenAsync(source)).Value;
        _clock.Advance(TimeSpan.FromSeconds(240));
        var current = (await TokenAsync(source)).Value;
        receiver.EnqueueTokenResponse(ScriptedResponse.OAuthError(400, "invalid_request",
            $"body was client_secret={WebUtility.UrlEncode(secret)}&x={secret} after {token} and {current}"));
        _clock.Advance(TimeSpan.FromSeconds(240));

        var echoed = await source.GetAsync(CancellationToken.None);
        var cut = source.Redact("the text ends inside " + secret.Substring(0, 20));

        WebUtility.UrlEncode(secret).Should().NotBe(secret);
        echoed.Failure!.Message.Should().Contain("***").And.NotContain("SECRETPART").And.NotContain(token).And.NotContain(current);
        cut.Should().Be("the text ends inside ***", "an echo cut at the read limit must not leave the secret's start");
    }
}
