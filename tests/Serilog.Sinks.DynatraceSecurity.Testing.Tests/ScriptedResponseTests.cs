using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class ScriptedResponseTests
{
    [Fact]
    public async Task ScriptedStatusIsAnsweredWithRetryAfterAndEnvelopeThenTheNextRequestIsNormal()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Status(429, "7"));

        using var throttled = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        using var accepted = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        (await IngestTestClient.ReadEnvelopeAsync(throttled, 429)).Should().Contain("429");
        throttled.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(7));
        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Requests.Select(r => r.StatusCode).Should().Equal(429, 202);
        receiver.Requests[1].Body.Should().Equal(receiver.Requests[0].Body);
        receiver.Events.Should().ContainSingle().Which.Request.Should().BeSameAs(receiver.Requests[1]);
        receiver.PendingScriptedResponses.Should().Be(0);
    }

    [Fact]
    public async Task ScriptedResponsesAreUsedFirstInFirstOut()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Status(503, "Wed, 21 Oct 2037 07:28:00 GMT"));
        receiver.EnqueueResponse(ScriptedResponse.Status(500));
        receiver.EnqueueResponse(new ScriptedResponse { StatusCode = 502, Body = "<html>bad gateway</html>", ContentType = "text/html" });
        receiver.PendingScriptedResponses.Should().Be(3);

        using var first = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        using var second = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        using var third = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        using var fourth = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        await IngestTestClient.ReadEnvelopeAsync(first, 503);
        first.Headers.RetryAfter!.Date.Should().Be(new DateTimeOffset(2037, 10, 21, 7, 28, 0, TimeSpan.Zero));
        await IngestTestClient.ReadEnvelopeAsync(second, 500);
        second.Headers.RetryAfter.Should().BeNull();
        ((int)third.StatusCode).Should().Be(502);
        third.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await third.Content.ReadAsStringAsync()).Should().Be("<html>bad gateway</html>");
        fourth.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().ContainSingle();
    }

    [Fact]
    public async Task ScriptedErrorIsAnsweredBeforeTheTokenCheckButAfterTheRouteCheck()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Status(503));

        using var unknownRoute = await client.PostAsync("/platform/ingest/v1/logs", IngestTestClient.OneEvent);
        using var noToken = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, authorization: null);

        await IngestTestClient.ReadEnvelopeAsync(unknownRoute, 404);
        await IngestTestClient.ReadEnvelopeAsync(noToken, 503);
    }

    [Fact]
    public async Task ScriptedSuccessStatusStillRunsTheContractChecksAndIsAnsweredWhenTheyPass()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Status(200));
        receiver.EnqueueResponse(ScriptedResponse.Status(200));

        using var noToken = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, authorization: null);
        using var ok = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        await IngestTestClient.ReadEnvelopeAsync(noToken, 401);
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        receiver.Events.Should().ContainSingle().Which.Request.StatusCode.Should().Be(200);
    }

    [Fact]
    public async Task Scripted204WithABodyIsAnsweredWithoutTheBody()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(new ScriptedResponse { StatusCode = 204, Body = "ignored" });

        using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        receiver.Events.Should().ContainSingle().Which.Request.StatusCode.Should().Be(204);
    }

    [Fact]
    public async Task ShortHangAnswers202AfterTheDelayAndRecordsTheEvent()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromMilliseconds(200)));
        var stopwatch = Stopwatch.StartNew();

        using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        stopwatch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(150));
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().ContainSingle();
    }

    [Fact]
    public async Task HangEndsWhenTheClientAbortsAndTheReceiverKeepsServing()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Hang(Timeout.InfiniteTimeSpan));
        using var cancel = new CancellationTokenSource();
        var hanging = client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, cancellationToken: cancel.Token);
        await receiver.WaitForArrivalsAsync(1, IngestTestClient.WaitTimeout);

        cancel.Cancel();
        Func<Task> act = () => hanging;
        await act.Should().ThrowAsync<OperationCanceledException>();
        await receiver.WaitForRequestsAsync(1, IngestTestClient.WaitTimeout);

        receiver.Requests[0].StatusCode.Should().Be(0);
        using var next = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        next.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task DropAbortsTheConnectionAndTheClientSeesHttpRequestException()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Drop());

        Func<Task> act = () => client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        await act.Should().ThrowAsync<HttpRequestException>();
        await receiver.WaitForRequestsAsync(1, IngestTestClient.WaitTimeout);
        var dropped = receiver.Requests.Should().ContainSingle().Subject;
        dropped.StatusCode.Should().Be(0);
        dropped.Body.Should().Equal(Encoding.UTF8.GetBytes(IngestTestClient.OneEvent));
        dropped.ToString().Should().Contain("dropped");
        receiver.Events.Should().BeEmpty();

        using var next = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        next.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task DropOnAReusedConnectionIsSeenByTheClientAndNotRetriedByIt()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        using var warmUp = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        receiver.EnqueueResponse(ScriptedResponse.Drop());

        Func<Task> act = () => client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        await act.Should().ThrowAsync<HttpRequestException>();
        await receiver.WaitForRequestsAsync(2, IngestTestClient.WaitTimeout);
        receiver.Requests.Select(r => r.StatusCode).Should().Equal(202, 0);
    }

    [Theory]
    [InlineData(199)]
    [InlineData(600)]
    public void ScriptedStatusOutside200To599IsRejected(int statusCode)
    {
        Action act = () => ScriptedResponse.Status(statusCode);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void RetryAfterWithControlCharactersIsRejected()
    {
        Action act = () => ScriptedResponse.Status(503, "1\r\nX-Injected: yes");

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void NegativeScriptedDelayIsRejected()
    {
        Action act = () => ScriptedResponse.Hang(TimeSpan.FromSeconds(-1));

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
