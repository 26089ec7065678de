using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Http;

/// <summary>
/// Batched delivery with an OAuth client over loopback HTTP: tokens from the local receiver's token endpoint, renewed,
/// replaced after a 401, and every failure of the token endpoint handled by the delivery policy.
/// </summary>
public class OAuthDeliveryTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>Authenticates with the receiver's default OAuth client instead of its access token.</summary>
    internal static void UseOAuth(DynatraceSecuritySinkOptions options, string? secret = null)
    {
        options.AccessToken = null;
        options.OAuthClientId = DynatraceIngestReceiver.DefaultOAuthClientId;
        options.OAuthClientSecret = secret ?? DynatraceIngestReceiver.DefaultOAuthClientSecret;
        options.OAuthTokenUrl = new Uri(new Uri(options.EnvironmentUrl!), DynatraceIngestReceiver.OAuthTokenPath).ToString();
    }

    static string[] SelfLogOf(DynatraceIngestReceiver receiver) => SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority);

    [Fact]
    public async Task TokensAreFetchedWithTheDocumentedFormFieldsAndSentAsBearerWithEveryRequest()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            UseOAuth(o);
            o.OAuthResource = "urn:dtenvironment:abc12345";
            o.BatchSizeLimit = 1;
        });

        harness.LogNumbered(3);
        await harness.Receiver.WaitForEventsAsync(3, Deadline);

        var tokenRequest = harness.Receiver.TokenRequests.Should().ContainSingle("one token serves every request while it is valid").Subject;
        tokenRequest.Form.Should().Contain("grant_type", "client_credentials")
            .And.Contain("client_id", DynatraceIngestReceiver.DefaultOAuthClientId)
            .And.Contain("client_secret", DynatraceIngestReceiver.DefaultOAuthClientSecret)
            .And.Contain("scope", DynatraceIngestReceiver.CustomRoutesPermission)
            .And.Contain("resource", "urn:dtenvironment:abc12345");
        harness.Receiver.Requests.Should().HaveCount(3)
            .And.OnlyContain(r => r.Headers["Authorization"] == "Bearer " + tokenRequest.IssuedToken && r.StatusCode == 202);
        harness.Fallback.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task TheBuiltInRouteAsksForItsOwnPermission()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.Endpoint = null;
            UseOAuth(o);
        });

        harness.LogNumbered(1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        harness.Receiver.TokenRequests.Single().Form["scope"].Should().Be(DynatraceIngestReceiver.BuiltInRoutesPermission);
    }

    [Fact]
    public async Task ARevokedTokenIsReplacedAfterOne401AndTheEventDelivered()
    {
        await using var harness = await SinkHarness.StartAsync(o => UseOAuth(o));
        harness.Security().Warning("Event {N}", 0);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        harness.Receiver.RevokeIssuedTokens().Should().Be(1);
        harness.Security().Warning("Event {N}", 1);
        await harness.Receiver.WaitForEventsAsync(2, Deadline);

        harness.Receiver.Requests.Select(r => r.StatusCode).Should().Equal(202, 401, 202);
        harness.Receiver.TokenRequests.Should().HaveCount(2);
        harness.Receiver.Requests[2].Headers["Authorization"].Should().Be("Bearer " + harness.Receiver.TokenRequests[1].IssuedToken);
        harness.ReceivedNumbers().Should().Equal(0, 1);
        harness.Fallback.Events.Should().BeEmpty();
        // The sink says so once the resend has its answer, just after the receiver has recorded it.
        Eventually.True(() => SelfLogOf(harness.Receiver).Any(l => l.Contains("refused the OAuth access token (401)")), Deadline,
            "the renewal is reported");
    }

    [Fact]
    public async Task ATokenEndpointThatFailsForAWhileDelaysTheEventsButLosesNone()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            UseOAuth(o);
            o.RetryTimeLimit = TimeSpan.FromSeconds(30);
        });
        harness.Receiver.EnqueueTokenResponse(ScriptedResponse.OAuthError(503, "temporarily_unavailable"));
        harness.Receiver.EnqueueTokenResponse(ScriptedResponse.Drop());

        harness.LogNumbered(5);
        await harness.Receiver.WaitForEventsAsync(5, Deadline);
        // The receiver records a request before it answers; the sink counts it once the answer is in.
        Eventually.True(() => harness.Metrics.Sent == 5, Deadline, "the sink has the answers");

        harness.Receiver.TokenRequests.Select(r => r.StatusCode).Should().Equal(503, 0, 200);
        harness.Receiver.Requests.Should().OnlyContain(r => r.StatusCode == 202);
        harness.Fallback.Events.Should().BeEmpty();
        harness.Metrics.Sum("requests").Should().Be(harness.Receiver.Requests.Count, "failed token requests are not ingest requests");
    }

    [Fact]
    public async Task AWrongSecretIsReportedWithWhatToCheckAndTheEventsReachTheListenerAfterTheRetryTimeLimit()
    {
        const string wrongSecret = "dt0s02.LOCALRECEIVER.WRONGSECRETWRONGSECRET";
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            UseOAuth(o, wrongSecret);
            o.RetryTimeLimit = TimeSpan.FromSeconds(1);
        });

        harness.LogNumbered(2);
        Eventually.True(() => harness.Fallback.Events.Count == 2, Deadline, "both events are reported");

        harness.Receiver.Requests.Should().BeEmpty("nothing is sent without a token");
        harness.Receiver.TokenRequests.Should().HaveCountGreaterThan(1).And.OnlyContain(r => r.StatusCode == 401);
        harness.Metrics.Dropped(DropReason.RetryTimeLimitExceeded).Should().Be(2);
        var lines = SelfLogOf(harness.Receiver);
        lines.Should().Contain(l => l.Contains("401 from the token request") && l.Contains("invalid_client") &&
                                    l.Contains("check oauthClientId and oauthClientSecret"));
        lines.Should().Contain(l => l.Contains("Gave up: retryTimeLimit passed") && l.Contains("invalid_client"));
        SelfLogCapture.All.Should().NotContain(l => l.Contains("WRONGSECRET"));
    }

    [Fact]
    public async Task TheSecretAndTheTokensAppearNowhereEvenWhenTheEndpointsEchoThem()
    {
        using var directory = new TemporaryDirectory();
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var secret = receiver.OAuthClientSecret;
        var options = TestOptions.Create(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            UseOAuth(o);
            o.BufferingTimeLimit = TimeSpan.FromMilliseconds(20);
            o.RetryTimeLimit = TimeSpan.Zero;
            o.UndeliveredEventsPath = Path.Combine(directory.Path, "undelivered.jsonl");
        });
        var settings = SinkSettings.From(options);
        var sink = new SecurityEventFrontSink(settings, TimeProvider.System, SinkHarness.QuickBackoff);
        using var metrics = new SinkMetrics(sink.Statistics.Meter);
        var listener = new RecordingListener();
        var logger = new LoggerConfiguration().WriteTo.Fallible(wt => wt.Sink(sink), listener).CreateLogger();

        // The token endpoint echoes the secret, in a JSON error and as plain text.
        receiver.EnqueueTokenResponse(ScriptedResponse.OAuthError(401, "invalid_client", "client_secret " + secret + " is wrong"));
        receiver.EnqueueTokenResponse(new ScriptedResponse { StatusCode = 400, Body = "form was client_secret=" + secret, ContentType = "text/plain" });
        logger.ForSecurityEvent().Warning("Event {N}", 0);
        Eventually.True(() => listener.Dropped == 1, Deadline, "the first event is reported");
        logger.ForSecurityEvent().Warning("Event {N}", 1);
        Eventually.True(() => listener.Dropped == 2, Deadline, "the second event is reported");

        // The ingest endpoint echoes the token it was given.
        logger.ForSecurityEvent().Warning("Event {N}", 2);
        await receiver.WaitForEventsAsync(1, Deadline);
        var token = receiver.TokenRequests.Last().IssuedToken!;
        receiver.EnqueueResponse(new ScriptedResponse { StatusCode = 422, Body = "{\"error\":{\"code\":422,\"message\":\"token " + token + "\"}}" });
        logger.ForSecurityEvent().Warning("Event {N}", 3);
        Eventually.True(() => listener.Dropped == 3, Deadline, "the fourth event is reported");
        await logger.DisposeAsync();

        var everything = string.Join("\n", SelfLogCapture.All.Concat(listener.Reports.Select(r => r.Message + " " + r.Exception))
            .Concat(metrics.Measurements.SelectMany(m => m.Tags.Select(t => t.Key + "=" + t.Value)))
            .Append(File.ReadAllText(options.UndeliveredEventsPath!))
            .Append(options.ToString()).Append(sink.ToString()).Append(settings.Credentials.ToString()));
        everything.Should().Contain("invalid_client").And.Contain("form was client_secret=***").And.Contain("token ***");
        everything.Should().NotContain(secret).And.NotContain("NOTAREALSECRET").And.NotContain(token);
    }

    [Fact]
    public async Task TokenRequestsGoThroughTheUsersHandlerAndAreNeverRedirected()
    {
        await using var elsewhere = await DynatraceIngestReceiver.StartAsync();
        var handler = new CountingHandler(new SocketsHttpHandler { AllowAutoRedirect = true });
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            UseOAuth(o);
            o.MessageHandler = handler;
            o.RetryTimeLimit = TimeSpan.FromSeconds(30);
        });
        harness.Receiver.EnqueueTokenResponse(ScriptedResponse.Redirect(307, elsewhere.OAuthTokenUrl.ToString()));

        harness.LogNumbered(1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        elsewhere.TokenRequests.Should().BeEmpty("the secret goes only to the configured token endpoint");
        SelfLogOf(harness.Receiver).Should().Contain(l => l.Contains("redirects to " + elsewhere.EnvironmentUrl.Authority) && l.Contains("oauthTokenUrl"));
        handler.Paths.Should().Contain(DynatraceIngestReceiver.OAuthTokenPath, "proxies and certificates apply to token requests too");
    }

    [Fact]
    public async Task TokenRequestsCarryNoTraceHeaders()
    {
        await using var harness = await SinkHarness.StartAsync(o => UseOAuth(o));

        using (new Activity("incoming request").SetIdFormat(ActivityIdFormat.W3C).Start())
            harness.Security().Warning("Event {N}", 1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        harness.Receiver.TokenRequests.Single().Headers.Keys.Should().NotContain(k =>
            k.Equals("traceparent", StringComparison.OrdinalIgnoreCase) || k.Equals("Request-Id", StringComparison.OrdinalIgnoreCase));
    }

    sealed class CountingHandler : DelegatingHandler
    {
        readonly ConcurrentQueue<string> _paths = new();

        public CountingHandler(HttpMessageHandler inner)
            : base(inner)
        {
        }

        public IReadOnlyCollection<string> Paths => _paths.ToArray();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _paths.Enqueue(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }

    internal sealed class RecordingListener : ILoggingFailureListener
    {
        readonly ConcurrentQueue<(LoggingFailureKind Kind, string Message, Exception? Exception, int Events)> _reports = new();

        public IReadOnlyCollection<(LoggingFailureKind Kind, string Message, Exception? Exception, int Events)> Reports => _reports.ToArray();

        /// <summary>The events reported as not delivered (not the temporary failures).</summary>
        public int Dropped => _reports.Where(r => r.Kind != LoggingFailureKind.Temporary).Sum(r => r.Events);

        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception) =>
            _reports.Enqueue((kind, message, exception, events?.Count ?? 0));
    }
}
