using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Http;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Http;

public class GzipBodyTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(100_000)]
    [InlineData(520_000)]
    [InlineData(1_040_000)]
    [InlineData(3_000_000)]
    public void IncompressibleBodiesOfAnySizeStillCompressAndRoundTrip(int length)
    {
        // Random bytes are the worst case for deflate: at the fastest level the output is about 6% larger than the input,
        // and it must still fit the buffer (a null here would mean the body silently goes out uncompressed).
        var body = new byte[length + 10];
        new Random(length).NextBytes(body);

        using var gzip = GzipBody.Compress(new ArraySegment<byte>(body, 5, length));

        gzip.Should().NotBeNull();
        Decompress(gzip!.Bytes).Should().Equal(new ArraySegment<byte>(body, 5, length));
    }

    [Fact]
    public void JsonCompressesAndRoundTrips()
    {
        var json = Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"{{\"event.id\":\"{i}\",\"event.kind\":\"SECURITY_EVENT\"}}")) + "]");

        using var gzip = GzipBody.Compress(new ArraySegment<byte>(json));

        gzip!.Bytes.Count.Should().BeLessThan(json.Length / 5);
        Decompress(gzip.Bytes).Should().Equal(json);
    }

    static byte[] Decompress(ArraySegment<byte> compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed.Array!, compressed.Offset, compressed.Count), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
