using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

[Collection(TimingCollection.Name)]
public sealed class ReceiverLifetimeTests
{
    [Fact]
    public async Task EnvironmentUrlIsLoopbackWithTheRealPort()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();

        receiver.EnvironmentUrl.Scheme.Should().Be("http");
        receiver.EnvironmentUrl.Host.Should().Be("127.0.0.1");
        receiver.EnvironmentUrl.Port.Should().BeGreaterThan(0);
        receiver.EnvironmentUrl.AbsolutePath.Should().Be("/");
        receiver.AccessToken.Should().Be(DynatraceIngestReceiver.DefaultAccessToken);
    }

    [Fact]
    public async Task DisposeIsIdempotentKeepsRecordsReadableAndFailsPendingAndLaterWaits()
    {
        var receiver = await DynatraceIngestReceiver.StartAsync();
        using (var client = new IngestTestClient(receiver))
        {
            using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        }

        var pending = receiver.WaitForEventsAsync(5, IngestTestClient.WaitTimeout);

        receiver.Dispose();
        await receiver.DisposeAsync();

        receiver.Events.Should().ContainSingle();
        Func<Task> pendingWait = () => pending;
        await pendingWait.Should().ThrowAsync<ObjectDisposedException>();
        Func<Task> laterWait = () => receiver.WaitForEventsAsync(5, IngestTestClient.WaitTimeout);
        await laterWait.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task DisposeReturnsPromptlyWhileARequestHangsAndTheClientSeesTheConnectionEnd()
    {
        var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromMinutes(5)));
        var hanging = client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        await receiver.WaitForArrivalsAsync(1, IngestTestClient.WaitTimeout);
        receiver.Requests.Should().BeEmpty("the hanging request has not been answered yet");

        var stopwatch = Stopwatch.StartNew();
        await receiver.DisposeAsync();
        stopwatch.Stop();

        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1.5), "the scripted delay is cancelled on shutdown");
        Func<Task> act = () => hanging;
        await act.Should().ThrowAsync<HttpRequestException>();
        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.StatusCode.Should().Be(0);
        receiver.Events.Should().BeEmpty();
    }
}
