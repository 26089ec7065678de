using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Reads a request body with a size cap, decoding it first when it came gzip-compressed and the caller accepts that. A
/// body too large or unreadable is returned empty with the refusal to answer (413 or 400), which the caller answers only
/// after its earlier checks, so that a bad token is still answered 401 whatever the body.
/// </summary>
internal static class RequestBodyReader
{
    const int ChunkSize = 16 * 1024;

    /// <exception cref="OperationCanceledException">The request was aborted or the receiver is shutting down.</exception>
    /// <exception cref="IOException">The connection failed while reading.</exception>
    public static async Task<(byte[] Body, (int Status, string Message)? Refusal)> ReadAsync(
        HttpRequest request, long maxBytes, bool gzip, CancellationToken cancellationToken)
    {
        // A declared length over the cap is refused without reading; without one, reading stops one byte past the cap.
        if (request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        var capacity = (int)Math.Min(request.ContentLength ?? ChunkSize, maxBytes + 1);
        using var buffer = new MemoryStream(capacity);
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                var wanted = (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length);
                int read;
                try
                {
                    read = await request.Body.ReadAsync(chunk.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
                }
                catch (BadHttpRequestException ex)
                {
                    return Malformed($"The request body could not be read: {ex.Message}");
                }

                if (read == 0)
                {
                    return gzip ? Decode(buffer.ToArray(), maxBytes) : (buffer.ToArray(), null);
                }

                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    return TooLarge(maxBytes);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// Decodes one gzip member, with the same cap on the decoded bytes. GZipStream checks the CRC-32 and length of its
    /// trailer when it reaches one, but accepts a body cut short before or inside the trailer, and ignores bytes after
    /// it; that the body's last four bytes hold the decoded length shows the trailer it checked is where it ends.
    /// </summary>
    static (byte[] Body, (int Status, string Message)? Refusal) Decode(byte[] gzip, long maxBytes)
    {
        if (gzip.Length < 18 || gzip[0] != 0x1F || gzip[1] != 0x8B)
        {
            return Malformed("The body is not valid gzip: it does not start with a gzip header.");
        }

        using var decoded = new MemoryStream();
        try
        {
            using var decoder = new GZipStream(new MemoryStream(gzip, writable: false), CompressionMode.Decompress);
            var chunk = new byte[ChunkSize];
            int read;
            while ((read = decoder.Read(chunk, 0, chunk.Length)) > 0)
            {
                decoded.Write(chunk, 0, read);
                if (decoded.Length > maxBytes)
                {
                    return TooLarge(maxBytes);
                }
            }
        }
        catch (InvalidDataException ex)
        {
            return Malformed($"The body is not valid gzip: {ex.Message}");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(gzip.AsSpan(gzip.Length - 4)) != (uint)decoded.Length)
        {
            return Malformed(
                "The body is not valid gzip: its trailer does not match what it decodes to (cut short, or bytes after the end).");
        }

        return (decoded.ToArray(), null);
    }

    static (byte[], (int, string)?) TooLarge(long maxBytes) =>
        (Array.Empty<byte>(), (413, $"The request body exceeds the limit of {maxBytes} bytes."));

    static (byte[], (int, string)?) Malformed(string message) => (Array.Empty<byte>(), (400, message));
}
