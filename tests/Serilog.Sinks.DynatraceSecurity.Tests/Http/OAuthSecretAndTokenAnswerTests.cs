using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
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
/// OAuth client credentials at their edges: the secret never echoed back, whatever its characters or the URL it hides
/// in; unusual token answers (a day-long lifetime, a huge body); what audit mode says when a new token is refused too.
/// </summary>
public sealed class OAuthSecretAndTokenAnswerTests : IAsyncLifetime
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

    static Credentials Client(DynatraceIngestReceiver receiver, Action<DynatraceSecuritySinkOptions>? configure = null) =>
        SinkSettings.From(OAuthTokenSourceTests.OAuthOptions(receiver, configure)).Credentials;

    /// <summary>
    /// SECURITY.md: the secret "as given or form-encoded" is replaced in any error body. The form body is encoded by
    /// <see cref="FormUrlEncodedContent"/> (RFC 3986: '!', '*', '(', ')' and '\'' percent-encoded, '~' kept), other
    /// encoders as <see cref="WebUtility.UrlEncode"/> does (the opposite for each of them): an echo of the real request
    /// body is redacted whichever characters the secret holds.
    /// </summary>
    [Fact]
    public async Task AnEchoOfTheRealFormBodyIsRedactedWhateverCharactersTheSecretHolds()
    {
        const string secret = "dt0s02.ECHO.sec!ret~(SECRETPART)";
        var client = SinkSettings.From(TestOptions.Create(o =>
        {
            o.AccessToken = null;
            o.OAuthClientId = "dt0s02.ECHO";
            o.OAuthClientSecret = secret;
            o.OAuthTokenUrl = "https://sso.example.com/sso/oauth2/token";
        })).Credentials;
        // A proxy or gateway that answers with what it was sent (text/plain, not JSON).
        using var echoing = new HttpClient(new EchoHandler());
        var source = new OAuthTokenSource(echoing, client, TimeSpan.FromSeconds(10), _clock);

        var failure = (await source.GetAsync(CancellationToken.None)).Failure!;

        failure.Message.Should().Contain("client_secret=", "the echo reached the report");
        failure.Message.Should().NotContain("SECRETPART");
    }

    /// <summary>
    /// Misconfiguration must fail with a message that never echoes a secret: a URL with user information
    /// (<c>user:password@</c>) is refused before any check that prints the URL (such as the plain-http one).
    /// </summary>
    [Theory]
    [InlineData("oauth")]
    [InlineData("environment")]
    public void AnHttpUrlWithUserInformationIsRefusedWithoutEchoingThePassword(string which)
    {
        const string url = "http://dt0s02.X:PASSWORDSECRETPART@sso.example.com";
        var options = TestOptions.Create(o =>
        {
            o.AccessToken = null;
            o.OAuthClientId = "dt0s02.X";
            o.OAuthClientSecret = "dt0s02.X.Y";
            if (which == "oauth")
                o.OAuthTokenUrl = url + "/sso/oauth2/token";
            else
                o.EnvironmentUrl = url;
        });

        var act = () => SinkSettings.From(options);

        act.Should().Throw<ArgumentException>().Which.ToString().Should().NotContain("PASSWORDSECRETPART");
    }

    /// <summary>
    /// An identity provider other than Dynatrace SSO may issue day-long tokens (Auth0's default is 86400 s): such a token
    /// is reused like any other (its lifetime capped at a day), not requested again for every ingest request.
    /// </summary>
    [Fact]
    public async Task ADayLongTokenIsReusedNotRequestedAgainForEveryRequest()
    {
        var client = Client(_receiver);
        var source = new OAuthTokenSource(_http, client, TimeSpan.FromSeconds(10), _clock);
        _receiver.EnqueueTokenResponse(new ScriptedResponse { StatusCode = 200, Body = "{\"access_token\":\"daylong\",\"expires_in\":86400}" });

        var first = (await source.GetAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = (await source.GetAsync(CancellationToken.None));

        first.Value.Should().Be("daylong");
        second.Should().BeSameAs(first);
        _receiver.TokenRequests.Should().ContainSingle();
    }

    /// <summary>Checked and correct: a token answer far above the bound is read only up to it and reported, not buffered.</summary>
    [Fact]
    public async Task AHugeTokenAnswerIsReadOnlyUpToItsBoundAndReported()
    {
        var client = Client(_receiver);
        var source = new OAuthTokenSource(_http, client, TimeSpan.FromSeconds(10), _clock);
        _receiver.EnqueueTokenResponse(new ScriptedResponse
        {
            StatusCode = 200,
            Body = "{\"padding\":\"" + new string('x', 2_000_000) + "\",\"access_token\":\"late\",\"expires_in\":300}",
        });

        var result = await source.GetAsync(CancellationToken.None);

        result.Failure!.FromTokenEndpoint.Should().BeTrue();
        result.Failure.Message.Should().Contain("no usable access_token");
    }

    /// <summary>
    /// A second 401 is handled like any 401, with its loud hint: audit mode's exception carries the same hint as batched
    /// delivery's report: "the endpoint refused a new OAuth token too: check that the OAuth client is granted ...".
    /// </summary>
    [Fact]
    public async Task AuditModeSaysWhatToCheckWhenTheNewTokenIsRefusedToo()
    {
        using var logger = new LoggerConfiguration()
            .AuditTo.DynatraceSecurity(
                environmentUrl: _receiver.EnvironmentUrl.ToString(),
                endpoint: "contoso.identity",
                requestTimeout: TimeSpan.FromSeconds(10),
                enrichmentDirectory: "none",
                oauthClientId: _receiver.OAuthClientId,
                oauthClientSecret: _receiver.OAuthClientSecret,
                oauthTokenUrl: _receiver.OAuthTokenUrl.ToString())
            .CreateLogger();
        _receiver.EnqueueResponse(ScriptedResponse.Status(401));
        _receiver.EnqueueResponse(ScriptedResponse.Status(401));

        var log = () => logger.ForSecurityEvent().Warning("Event {N}", 0);

        var failure = log.Should().Throw<AggregateException>().Which.InnerExceptions.OfType<DynatraceSecurityAuditException>().Single();
        _receiver.TokenRequests.Should().HaveCount(2, "the first 401 discarded the token");
        failure.Message.Should().Contain("OAuth client is granted");
    }

    sealed class EchoHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.BadRequest)
            {
                RequestMessage = request,
                Content = new StringContent("bad request: " + body, Encoding.UTF8, "text/plain"),
            };
        }
    }
}
