using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

/// <summary>
/// A redirect from the ingest endpoint (a wrong host, a login portal) is never followed: the token and the events go
/// only to the host the user configured, and the events are reported, not counted as delivered.
/// </summary>
public class RedirectTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    const string Route = "/platform/ingest/custom/security.events/contoso.identity";

    static void RedirectEveryRequest(DynatraceIngestReceiver from, DynatraceIngestReceiver to, int status)
    {
        for (var i = 0; i < 50; i++)
            from.EnqueueResponse(ScriptedResponse.Redirect(status, to.EnvironmentUrl.ToString().TrimEnd('/') + Route));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task ARedirectIsNotFollowedAndItsEventsAreReportedWithTheTargetHost(int status)
    {
        await using var elsewhere = await DynatraceIngestReceiver.StartAsync();
        await using var harness = await SinkHarness.StartAsync(o => o.RetryTimeLimit = TimeSpan.FromMilliseconds(300));
        RedirectEveryRequest(harness.Receiver, elsewhere, status);

        harness.LogNumbered(3);
        Eventually.True(() => harness.Fallback.Events.Count == 3, Deadline, "the events are reported once retrying ends");

        elsewhere.Requests.Should().BeEmpty("neither the token nor the events go to a host the user did not configure");
        harness.Receiver.Requests.Count.Should().BeGreaterThan(1, "a redirect is a configuration problem, retried like a 404");
        harness.Receiver.Events.Should().BeEmpty();
        harness.Metrics.Sent.Should().Be(0);
        SelfLogCapture.Containing(elsewhere.EnvironmentUrl.Authority).Should().Contain(l => l.Contains("use the final URL"));
    }

    [Fact]
    public async Task AUserHandlerThatWouldFollowRedirectsIsSwitchedOff()
    {
        await using var elsewhere = await DynatraceIngestReceiver.StartAsync();
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.RetryTimeLimit = TimeSpan.FromMilliseconds(300);
            o.MessageHandler = new HttpClientHandler(); // follows redirects unless told otherwise
        });
        RedirectEveryRequest(harness.Receiver, elsewhere, 307);

        harness.LogNumbered(2);
        Eventually.True(() => harness.Fallback.Events.Count == 2, Deadline, "the events are reported once retrying ends");

        elsewhere.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task AResponseFetchedFromAnotherHostByAHandlerThatCannotBeSwitchedOffIsNotDelivery()
    {
        await using var elsewhere = await DynatraceIngestReceiver.StartAsync();
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.RetryTimeLimit = TimeSpan.FromMilliseconds(300);
            o.MessageHandler = new AlreadyUsedHandler(); // its settings are frozen: it follows redirects
        });
        RedirectEveryRequest(harness.Receiver, elsewhere, 307);

        harness.LogNumbered(2);
        Eventually.True(() => harness.Fallback.Events.Count == 2, Deadline, "the events are reported once retrying ends");

        elsewhere.Requests.Should().NotBeEmpty("this handler did follow the redirect");
        harness.Metrics.Sent.Should().Be(0, "an answer from another host is not delivery, whatever its status");
        SinkHarness.Numbers(harness.Fallback.Events).Should().BeEquivalentTo(new[] { 0, 1 });
        harness.Metrics.Dropped(DropReason.RetryTimeLimitExceeded).Should().Be(2);
        SelfLogCapture.Containing("was redirected to " + elsewhere.EnvironmentUrl.Authority).Should().NotBeEmpty();
    }

    [Fact]
    public async Task AuditModeThrowsOnARedirectAndNamesTheHost()
    {
        await using var elsewhere = await DynatraceIngestReceiver.StartAsync();
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        RedirectEveryRequest(receiver, elsewhere, 302);
        using var logger = new LoggerConfiguration()
            .AuditTo.DynatraceSecurity(receiver.EnvironmentUrl.ToString(), receiver.AccessToken, "contoso.identity")
            .CreateLogger();

        var thrown = FluentActions.Invoking(() => logger.ForSecurityEvent().Warning("Privileged role granted"))
            .Should().Throw<AggregateException>().Which.InnerExceptions.Single().Should().BeOfType<DynatraceSecurityAuditException>().Which;

        thrown.StatusCode.Should().Be(302);
        thrown.Message.Should().Contain(elsewhere.EnvironmentUrl.Authority).And.Contain("use the final URL");
        elsewhere.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task AHandlerThatRewritesThePathOnTheSameHostIsStillDelivery()
    {
        await using var harness = await SinkHarness.StartAsync(o => o.MessageHandler = new PathRewritingHandler());

        harness.LogNumbered(2);
        // Counted as sent once the answer is back (after the receiver recorded the events).
        Eventually.True(() => harness.Metrics.Sent == 2, Deadline, "both events count as delivered");

        harness.Receiver.Requests.Should().OnlyContain(r => r.QueryString == "?tenant=a");
        harness.Fallback.Events.Should().BeEmpty("the events went to the configured host");
    }

    [Fact]
    public async Task AHandlerThatThrowsSomethingUnusualMakesAFailedAttemptNotALostBatch()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.RetryTimeLimit = TimeSpan.FromMilliseconds(200);
            o.MessageHandler = new ThrowingHandler();
        });

        harness.LogNumbered(2);
        Eventually.True(() => harness.Fallback.Events.Count == 2, Deadline, "the events are reported once retrying ends");

        harness.Metrics.Dropped(DropReason.RetryTimeLimitExceeded).Should().Be(2, "a failed attempt, retried, not an internal error");
        harness.Metrics.Dropped(DropReason.Internal).Should().Be(0);
        SelfLogCapture.Containing(harness.Receiver.EnvironmentUrl.Authority).Should().NotContain(l => l.Contains(harness.Receiver.AccessToken));
    }

    /// <summary>Adds a query string: the answer comes from another URI on the same host.</summary>
    sealed class PathRewritingHandler : DelegatingHandler
    {
        public PathRewritingHandler() : base(new HttpClientHandler()) { }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, System.Threading.CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Query = "tenant=a" }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A handler that fails the way no network does, naming the token in its message.</summary>
    sealed class ThrowingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, System.Threading.CancellationToken cancellationToken) =>
            throw new InvalidOperationException("handler broken; header was " + request.Headers.Authorization);
    }

    /// <summary>An <see cref="HttpClientHandler"/> that has already sent a request, so its properties cannot change.</summary>
    sealed class AlreadyUsedHandler : HttpClientHandler
    {
        public AlreadyUsedHandler()
        {
            using var warmUp = new HttpMessageInvoker(this, disposeHandler: false);
            try
            {
                // Any answer, or none, freezes the handler's settings.
                warmUp.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9/"), default).GetAwaiter().GetResult();
            }
            catch (HttpRequestException)
            {
            }
        }
    }
}
