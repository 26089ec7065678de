using System;
using System.Buffers;
using System.IO;
using System.IO.Compression;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>A request body compressed with gzip (fastest level) into a pooled buffer; returned on dispose.</summary>
internal sealed class GzipBody : IDisposable
{
    byte[]? _buffer;

    GzipBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Bytes = new ArraySegment<byte>(buffer, 0, length);
    }

    public ArraySegment<byte> Bytes { get; }

    /// <summary>Compresses <paramref name="body"/>; null in the unlikely case it does not fit the buffer.</summary>
    public static GzipBody? Compress(ArraySegment<byte> body)
    {
        // Deflate grows incompressible data by a few bytes per block, gzip adds an 18-byte header and trailer.
        var buffer = ArrayPool<byte>.Shared.Rent(body.Count + body.Count / 256 + 256);
        try
        {
            int length;
            using (var stream = new MemoryStream(buffer, 0, buffer.Length, writable: true, publiclyVisible: true))
            {
                using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
                    gzip.Write(body.Array!, body.Offset, body.Count);
                length = (int)stream.Position;
            }

            return new GzipBody(buffer, length);
        }
        catch (NotSupportedException)
        {
            // The fixed-size stream was full: send this body uncompressed.
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = null;
        if (buffer != null)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
