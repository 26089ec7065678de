using System.Net;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class IngestContentTypeTests
{
    static readonly DynatraceIngestReceiverOptions AcceptingGzip = new() { AcceptGzip = true };

    [Theory]
    [InlineData(null, "Missing Content-Type")]
    [InlineData("text/plain", "text/plain")]
    [InlineData("application/x-ndjson", "application/x-ndjson")]
    [InlineData("application/jsonx", "application/jsonx")]
    public async Task ContentTypeOtherThanApplicationJsonIsAnswered400(string? contentType, string expectedMessagePart)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, contentType: contentType);

        var message = await IngestTestClient.ReadEnvelopeAsync(response, 400);
        message.Should().Contain(expectedMessagePart);
        receiver.Requests.Should().ContainSingle().Which.StatusCode.Should().Be(400);
        receiver.Events.Should().BeEmpty();
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON;charset=UTF-8")]
    public async Task ApplicationJsonWithOrWithoutParametersIsAccepted(string contentType)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, contentType: contentType);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Requests[0].Headers["content-type"].Should().Be(contentType);
    }

    [Fact]
    public async Task CompressedContentEncodingIsAnswered400()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        var content = IngestTestClient.Json(IngestTestClient.OneEvent);
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await client.PostAsync(IngestTestClient.CustomPath, content);

        (await IngestTestClient.ReadEnvelopeAsync(response, 400)).Should().Contain("gzip");
    }

    [Fact]
    public async Task OtherEncodingsAreStillAnswered400WhenGzipIsAccepted()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(AcceptingGzip);
        using var client = new IngestTestClient(receiver);
        var content = IngestTestClient.Json(IngestTestClient.OneEvent);
        content.Headers.ContentEncoding.Add("br");

        using var response = await client.PostAsync(IngestTestClient.CustomPath, content);

        (await IngestTestClient.ReadEnvelopeAsync(response, 400)).Should().Contain("br");
    }
}
