using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Decodes a <c>Content-Encoding: gzip</c> body when the receiver accepts gzip
/// (<see cref="DynatraceIngestReceiverOptions.AcceptGzip"/>), with the same size cap on the decoded bytes as on any
/// body: a body that decodes to more is too large (413), one that is not a single complete gzip member is malformed
/// (400). .NET's decoder tolerates a missing or damaged trailer, so the receiver checks it itself: the body must start
/// with the gzip magic bytes and end with the CRC-32 and length of what it decodes to.
/// </summary>
internal static class GzipBodyDecoder
{
    /// <summary>Whether the request's only content encoding is gzip.</summary>
    public static bool IsGzip(HttpRequest request) =>
        request.Headers.ContentEncoding.Count == 1 &&
        string.Equals(request.Headers.ContentEncoding[0]?.Trim(), "gzip", StringComparison.OrdinalIgnoreCase);

    public static BodyReadResult Decode(BodyReadResult body, long maxBytes)
    {
        if (body.TooLarge || body.Malformed != null)
        {
            return body;
        }

        var bytes = body.Bytes;
        if (bytes.Length < 18 || bytes[0] != 0x1F || bytes[1] != 0x8B)
        {
            return BodyReadResult.BadFraming("The body is not valid gzip: it does not start with a gzip header.");
        }

        using var decoded = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var gzip = new GZipStream(new MemoryStream(body.Bytes, writable: false), CompressionMode.Decompress);
            int read;
            while ((read = gzip.Read(chunk, 0, chunk.Length)) > 0)
            {
                decoded.Write(chunk, 0, read);
                if (decoded.Length > maxBytes)
                {
                    return BodyReadResult.OverLimit();
                }
            }
        }
        catch (InvalidDataException ex)
        {
            return BodyReadResult.BadFraming($"The body is not valid gzip: {ex.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        var json = decoded.ToArray();
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 8, 4));
        var expectedLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4, 4));
        if (expectedLength != (uint)json.Length || expectedCrc != Crc32(json))
        {
            return BodyReadResult.BadFraming("The body is not valid gzip: its trailer does not match what it decodes to (cut short, or bytes after the end).");
        }

        return BodyReadResult.Read(json);
    }

    static readonly uint[] CrcTable = BuildCrcTable();

    static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
