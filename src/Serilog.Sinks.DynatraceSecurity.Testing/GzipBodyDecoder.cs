using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Decodes a <c>Content-Encoding: gzip</c> body when the receiver accepts gzip
/// (<see cref="DynatraceIngestReceiverOptions.AcceptGzip"/>), with the same size cap on the decoded bytes as on any
/// body: a body that decodes to more is too large (413), one that is not valid gzip is malformed (400).
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

        using var decoded = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
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

        return BodyReadResult.Read(decoded.ToArray());
    }
}
