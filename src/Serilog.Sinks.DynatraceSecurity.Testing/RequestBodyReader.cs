using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Reads a request body with a size cap: a declared Content-Length over the cap is rejected without reading, and a
/// body without one is read until it passes the cap. Never buffers more than the cap plus one byte.
/// </summary>
internal static class RequestBodyReader
{
    const int ChunkSize = 16 * 1024;

    /// <exception cref="OperationCanceledException">The request was aborted or the receiver is shutting down.</exception>
    /// <exception cref="IOException">The connection failed while reading.</exception>
    public static async Task<BodyReadResult> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > maxBytes)
        {
            return BodyReadResult.OverLimit();
        }

        var capacity = (int)Math.Min(declared ?? ChunkSize, maxBytes + 1);
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
                    return BodyReadResult.BadFraming($"The request body could not be read: {ex.Message}");
                }

                if (read == 0)
                {
                    return BodyReadResult.Read(buffer.ToArray());
                }

                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes)
                {
                    return BodyReadResult.OverLimit();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
