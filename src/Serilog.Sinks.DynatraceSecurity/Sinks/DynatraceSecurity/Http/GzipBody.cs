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

    /// <summary>Compresses <paramref name="body"/>; null when that fails or does not fit the buffer (then it goes plain).</summary>
    public static GzipBody? Compress(ArraySegment<byte> body)
    {
        // At the fastest level deflate can grow incompressible data by about 6%; gzip adds an 18-byte header and trailer.
        var buffer = ArrayPool<byte>.Shared.Rent(body.Count + body.Count / 8 + 1024);
        try
        {
            using var stream = new MemoryStream(buffer, 0, buffer.Length, writable: true, publiclyVisible: true);
            using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
                gzip.Write(body.Array!, body.Offset, body.Count);
            return new GzipBody(buffer, (int)stream.Position);
        }
        catch (Exception)
        {
            // The fixed-size stream was full (NotSupportedException), or compression itself failed: send it plain.
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
