using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class IngestAuthorizationTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("Api-Token dt0c01.WRONG.TOKEN", "Api-Token")]
    [InlineData("Bearer dt0s16.WRONG.TOKEN", "Bearer")]
    [InlineData("Basic dXNlcjpwYXNz", "Basic")]
    [InlineData("Api-Token", "")]
    public async Task MissingOrWrongTokenIsAnswered401WithEnvelope(string? authorization, string? recordedScheme)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, authorization);

        var message = await IngestTestClient.ReadEnvelopeAsync(response, 401);
        message.Should().NotContain("WRONG");
        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.StatusCode.Should().Be(401);
        request.AuthorizationScheme.Should().Be(recordedScheme);
        receiver.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task BareTokenWithoutSchemeIsRejectedAndNotCopiedIntoTheScheme()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, receiver.AccessToken);

        await IngestTestClient.ReadEnvelopeAsync(response, 401);
        receiver.Requests[0].AuthorizationScheme.Should().BeEmpty();
    }

    [Theory]
    [InlineData("Api-Token")]
    [InlineData("Bearer")]
    [InlineData("api-token")]
    [InlineData("bearer")]
    public async Task BothSchemesAreAcceptedWithAnAcceptedToken(string scheme)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, $"{scheme} {receiver.AccessToken}");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Requests[0].AuthorizationScheme.Should().Be(scheme);
        receiver.Events.Should().ContainSingle();
    }

    [Fact]
    public async Task ConfiguredTokensReplaceTheDefault()
    {
        var options = new DynatraceIngestReceiverOptions();
        options.AcceptedTokens.Clear();
        options.AcceptedTokens.Add("dt0s16.PLATFORM.TOKEN");
        options.AcceptedTokens.Add("dt0c01.SECOND.TOKEN");
        await using var receiver = await DynatraceIngestReceiver.StartAsync(options);
        using var client = new IngestTestClient(receiver);

        receiver.AccessToken.Should().Be("dt0s16.PLATFORM.TOKEN");
        using var bearer = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer dt0s16.PLATFORM.TOKEN");
        using var apiToken = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Api-Token dt0c01.SECOND.TOKEN");
        using var oldDefault = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, $"Api-Token {DynatraceIngestReceiver.DefaultAccessToken}");

        bearer.StatusCode.Should().Be(HttpStatusCode.Accepted);
        apiToken.StatusCode.Should().Be(HttpStatusCode.Accepted);
        oldDefault.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
