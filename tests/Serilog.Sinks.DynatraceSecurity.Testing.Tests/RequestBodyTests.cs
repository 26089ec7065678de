using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class RequestBodyTests
{
    static readonly DynatraceIngestReceiverOptions AcceptingGzip = new() { AcceptGzip = true };

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

    [Fact]
    public async Task GzipBodyIsDecodedCheckedAndRecordedWhenAccepted()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(AcceptingGzip);
        using var client = new IngestTestClient(receiver);
        var json = "[" + IngestTestClient.OneEvent + "," + IngestTestClient.OneEvent.Replace("e-1", "e-2") + "]";

        using var response = await client.PostAsync(IngestTestClient.CustomPath, GzipContent(Gzip(json)));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().HaveCount(2);
        receiver.Events[1].Json.GetProperty("event.id").GetString().Should().Be("e-2");
        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.Body.Should().Equal(Encoding.UTF8.GetBytes(json), "the recorded body is the decoded JSON");
        request.Headers["content-encoding"].Should().Be("gzip");
    }

    [Fact]
    public async Task GzipBodyThatIsNotGzipIsAnswered400()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(AcceptingGzip);
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, GzipContent(Encoding.UTF8.GetBytes(IngestTestClient.OneEvent)));

        (await IngestTestClient.ReadEnvelopeAsync(response, 400)).Should().Contain("gzip");
        receiver.Events.Should().BeEmpty();
    }

    [Theory]
    [InlineData("cut by its whole trailer")]
    [InlineData("cut by its length field")]
    [InlineData("followed by other bytes")]
    [InlineData("with a wrong checksum")]
    public async Task GzipBodyThatIsCutShortDamagedOrHasBytesAfterItsEndIsAnswered400(string damage)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(AcceptingGzip);
        using var client = new IngestTestClient(receiver);
        var gzip = Gzip("[" + IngestTestClient.OneEvent + "]");
        var body = damage switch
        {
            "cut by its whole trailer" => gzip[..^8],
            "cut by its length field" => gzip[..^4],
            "followed by other bytes" => gzip.Concat(Encoding.UTF8.GetBytes("garbage")).ToArray(),
            _ => gzip.Select((b, i) => i == gzip.Length - 8 ? (byte)(b ^ 1) : b).ToArray(),
        };

        using var response = await client.PostAsync(IngestTestClient.CustomPath, GzipContent(body));

        (await IngestTestClient.ReadEnvelopeAsync(response, 400)).Should().Contain("gzip");
        receiver.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task GzipBodyThatDecodesBeyondTheLimitIsAnswered413()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(
            new DynatraceIngestReceiverOptions { AcceptGzip = true, MaxRequestBytes = 1000 });
        using var client = new IngestTestClient(receiver);
        // Small on the wire, large once decoded.
        var json = "[" + IngestTestClient.Event("e-1", "\"padding\":\"" + new string('x', 5000) + "\"") + "]";

        using var response = await client.PostAsync(IngestTestClient.CustomPath, GzipContent(Gzip(json)));

        await IngestTestClient.ReadEnvelopeAsync(response, 413);
        receiver.Events.Should().BeEmpty();
    }

    /// <summary>A complete event of exactly <paramref name="length"/> UTF-8 bytes.</summary>
    static string BodyOfLength(int length)
    {
        var shortest = IngestTestClient.Event("e-1", "\"pad\":\"\"");
        var json = IngestTestClient.Event("e-1", "\"pad\":\"" + new string('x', length - shortest.Length) + "\"");
        Encoding.UTF8.GetByteCount(json).Should().Be(length);
        return json;
    }

    static byte[] Gzip(string json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }

        return output.ToArray();
    }

    static HttpContent GzipContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        content.Headers.ContentEncoding.Add("gzip");
        return content;
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
