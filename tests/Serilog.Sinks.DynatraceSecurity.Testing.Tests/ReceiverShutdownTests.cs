using System;
using System.Diagnostics;
using System.Net.Http;
using System.Threading.Tasks;
using FluentAssertions;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

/// <summary>
/// Tests that check an upper bound on elapsed time run alone, after the parallel ones, so that a busy machine does not
/// fail them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing (not run in parallel)";
}

[Collection(TimingCollection.Name)]
public sealed class ReceiverShutdownTests
{
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
