using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class RecordingTests
{
    [Fact]
    public async Task WaitForEventsAsyncTimesOutWithAMessageSayingHowManyArrivedAndWhatWasAnswered()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        using var accepted = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        using var rejected = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Api-Token dt0c01.WRONG");

        Func<Task> act = () => receiver.WaitForEventsAsync(3, TimeSpan.FromMilliseconds(200));

        var error = (await act.Should().ThrowAsync<TimeoutException>()).Which;
        error.Message.Should().Contain("3 accepted event(s)").And.Contain("1 arrived").And.Contain("-> 401").And.Contain("-> 202");
        error.Message.Should().NotContain(receiver.AccessToken).And.NotContain("WRONG");
    }

    [Fact]
    public async Task WaitForRequestsAsyncTimesOutWithAMessageSayingHowManyArrived()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();

        Func<Task> act = () => receiver.WaitForRequestsAsync(1, TimeSpan.FromMilliseconds(100));

        (await act.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain("1 answered request(s); 0 arrived");
    }

    [Fact]
    public async Task WaitsCompleteWhenTheCountIsReachedLater()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        var events = receiver.WaitForEventsAsync(3, IngestTestClient.WaitTimeout);
        var requests = receiver.WaitForRequestsAsync(2, IngestTestClient.WaitTimeout);
        events.IsCompleted.Should().BeFalse();

        using var first = await client.PostAsync(IngestTestClient.CustomPath, "[" + IngestTestClient.Event("a-1") + "," + IngestTestClient.Event("a-2") + "]");
        using var second = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        await Task.WhenAll(events, requests);
        await receiver.WaitForEventsAsync(0, TimeSpan.FromMilliseconds(1));
        receiver.Events.Should().HaveCount(3);
    }

    [Fact]
    public async Task ConcurrentRequestsAreAllRecordedInArrivalOrder()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        const int count = 40;

        var responses = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            client.PostAsync(IngestTestClient.CustomPath,
                "[" + IngestTestClient.Event($"{i}-0", $"\"i\":{i},\"part\":0") + "," + IngestTestClient.Event($"{i}-1", $"\"i\":{i},\"part\":1") + "]")));

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Accepted);
        foreach (var response in responses)
        {
            response.Dispose();
        }

        receiver.Requests.Should().HaveCount(count);
        receiver.Events.Should().HaveCount(2 * count);
        receiver.Requests.Select(r => r.ReceivedAt).Should().BeInAscendingOrder();
        var requestsInEventOrder = receiver.Events.Select(e => e.Request).Distinct().ToList();
        requestsInEventOrder.Should().Equal(receiver.Requests);
        receiver.Events.Select(e => e.GetString("i")).Distinct().Should().HaveCount(count);
    }

    [Fact]
    public async Task ClearForgetsRequestsEventsAndArrivals()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        using var first = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);

        receiver.Clear();

        receiver.Requests.Should().BeEmpty();
        receiver.Events.Should().BeEmpty();
        Func<Task> act = () => receiver.WaitForArrivalsAsync(1, TimeSpan.FromMilliseconds(50));
        await act.Should().ThrowAsync<TimeoutException>();
        using var second = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        receiver.Events.Should().ContainSingle();
    }
}
