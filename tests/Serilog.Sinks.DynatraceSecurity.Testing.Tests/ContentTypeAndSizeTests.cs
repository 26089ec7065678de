using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using FluentAssertions;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class ContentTypeAndSizeTests
{
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
    public async Task BodyOverTheLimitWithContentLengthIsAnswered413()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { MaxRequestBytes = 1000 });
        using var client = new IngestTestClient(receiver);
        var json = BodyOfLength(1001);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, json);

        (await IngestTestClient.ReadEnvelopeAsync(response, 413)).Should().Contain("1000 bytes");
        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.StatusCode.Should().Be(413);
        request.Body.Should().BeEmpty();
        receiver.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimitIsAnswered413()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { MaxRequestBytes = 1000 });
        using var client = new IngestTestClient(receiver);
        var content = new UnknownLengthContent(Encoding.UTF8.GetBytes(BodyOfLength(5000)));

        using var response = await client.PostAsync(IngestTestClient.CustomPath, content);

        await IngestTestClient.ReadEnvelopeAsync(response, 413);
        receiver.Requests.Should().ContainSingle().Which.Headers.Should().ContainKey("Transfer-Encoding");
    }

    [Fact]
    public async Task BodyExactlyAtTheLimitIsAcceptedWithOrWithoutContentLength()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { MaxRequestBytes = 1000 });
        using var client = new IngestTestClient(receiver);
        var json = BodyOfLength(1000);

        using var sized = await client.PostAsync(IngestTestClient.CustomPath, json);
        using var chunked = await client.PostAsync(IngestTestClient.CustomPath, new UnknownLengthContent(Encoding.UTF8.GetBytes(json)));

        sized.StatusCode.Should().Be(HttpStatusCode.Accepted);
        chunked.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().HaveCount(2);
        receiver.Requests[1].Body.Should().Equal(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>A complete event of exactly <paramref name="length"/> UTF-8 bytes.</summary>
    static string BodyOfLength(int length)
    {
        var shortest = IngestTestClient.Event("e-1", "\"pad\":\"\"");
        var json = IngestTestClient.Event("e-1", "\"pad\":\"" + new string('x', length - shortest.Length) + "\"");
        Encoding.UTF8.GetByteCount(json).Should().Be(length);
        return json;
    }

    /// <summary>Content without a known length, so HttpClient sends it chunked.</summary>
    sealed class UnknownLengthContent : HttpContent
    {
        readonly byte[] _bytes;

        public UnknownLengthContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes, 0, _bytes.Length);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
