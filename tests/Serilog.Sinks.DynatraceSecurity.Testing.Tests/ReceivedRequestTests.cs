using System.Linq;
using System.Net;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class ReceivedRequestTests
{
    [Fact]
    public async Task ToStringNeverShowsTheTokenOrTheAuthorizationHeader()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var accepted = await client.PostAsync(IngestTestClient.CustomPath + "?token=" + receiver.AccessToken, IngestTestClient.OneEvent);
        using var bearer = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer " + receiver.AccessToken);
        using var bare = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, receiver.AccessToken);

        receiver.Requests.Should().HaveCount(3);
        foreach (var request in receiver.Requests)
        {
            var text = request.ToString();
            text.Should().NotContain(receiver.AccessToken).And.NotContain("dt0c01").And.NotContain("Authorization");
            text.Should().StartWith("POST " + IngestTestClient.CustomPath + " -> ");
            (request.AuthorizationScheme ?? string.Empty).Should().NotContain(receiver.AccessToken);
        }

        receiver.Requests[0].ToString().Should().Be($"POST {IngestTestClient.CustomPath} -> 202 ({IngestTestClient.OneEvent.Length} bytes)");
        receiver.Requests[0].Headers["authorization"].Should().Be("Api-Token " + receiver.AccessToken, "tests may check what the client sent");
        receiver.Events[0].ToString().Should().Be(IngestTestClient.OneEvent);
    }

    [Fact]
    public async Task QueryStringIsRecordedApartFromThePath()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath + "?dt.source=x", IngestTestClient.OneEvent);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var request = receiver.Requests.Single();
        request.Path.Should().Be(IngestTestClient.CustomPath);
        request.QueryString.Should().Be("?dt.source=x");

        using var plain = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent);
        receiver.Requests[1].QueryString.Should().BeEmpty();
    }
}
