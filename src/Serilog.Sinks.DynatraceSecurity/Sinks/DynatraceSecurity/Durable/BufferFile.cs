using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// One buffer file's format, and what its header says. A file is a header line, then the exact request body:
/// <c>{"format":2,"destination":url,"events":n,"bytes":b,"crc32":c,"lengths":[...],"timestamps":[...]}</c>
/// (the destination is the ingest URL: environment, route and endpoint, never a credential; timestamps in Unix
/// milliseconds, for the 24-hour rule; the checksum covers the body, both lists and the destination, so a damaged
/// header is noticed too). The body is <c>[e1,e2,...]</c>, each event exactly as it was sent, so its <c>event.id</c>
/// survives a restart. A file is read in two steps, so that nothing is read whole before its header is checked.
/// A file is sent by whoever holds its OS lock (<see cref="TryClaim"/>), so processes and loggers sharing the directory
/// never send one file twice at once, and the file of a process that died is taken up by another.
/// </summary>
internal sealed class BufferFile
{
    /// <summary>The format written; 2 added the destination, so files of format 1 do not say where their events go.</summary>
    public const int CurrentFormat = 2;

    // No sink writes a larger file: one request (batchSizeLimitBytes, at most 10,000,000) and a header of at most
    // batchSizeLimit events (100,000, about 24 bytes each) and the destination.
    const long MaximumBytes = 16L * 1024 * 1024;
    const int MaximumHeaderBytes = 4 * 1024 * 1024;
    const int FirstRead = 64 * 1024;

    readonly uint _crc;
    readonly long[] _lengths;
    readonly int _bodyStart;
    readonly int _bodyLength;

    BufferFile(int format, string? destination, uint crc, long[] lengths, long[] timestamps, int bodyStart, int bodyLength)
    {
        Format = format;
        Destination = destination;
        _crc = crc;
        _lengths = lengths;
        Timestamps = timestamps;
        _bodyStart = bodyStart;
        _bodyLength = bodyLength;
    }

    /// <summary>The file's format; a header of another format than <see cref="CurrentFormat"/> says nothing else.</summary>
    public int Format { get; }

    public string? Destination { get; }

    public long[] Timestamps { get; }

    public static void Write(Stream stream, string destination, FormattedBatch batch, EventSet events, PooledBufferWriter body)
    {
        var bytes = batch.WriteBody(events, body);
        var lengths = new long[events.Count];
        var timestamps = new long[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            lengths[i] = batch.LengthOf(events[i]);
            timestamps[i] = batch.TimestampOf(events[i]).ToUnixTimeMilliseconds();
        }

        using (var header = new Utf8JsonWriter(stream))
        {
            header.WriteStartObject();
            header.WriteNumber("format", CurrentFormat);
            header.WriteString("destination", destination);
            header.WriteNumber("events", events.Count);
            header.WriteNumber("bytes", bytes.Count);
            header.WriteNumber("crc32", Checksum(bytes, lengths, timestamps, destination));
            WriteArray(header, "lengths", lengths);
            WriteArray(header, "timestamps", timestamps);
            header.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        stream.Write(bytes.Array!, bytes.Offset, bytes.Count);
    }

    /// <summary>
    /// Reads the header into <paramref name="contents"/> (at most a few MiB whatever the file's size). Returns it, or what
    /// is wrong with the file: cut short, damaged, larger than any buffer file or not one at all.
    /// </summary>
    public static (BufferFile? Header, string? Problem) ReadHeader(Stream stream, PooledBufferWriter contents)
    {
        contents.Clear();
        var length = stream.Length;
        var limit = (int)Math.Min(length, MaximumHeaderBytes);
        var newline = -1;
        while (newline < 0 && contents.WrittenCount < limit)
        {
            var searched = contents.WrittenCount;
            if (ReadInto(stream, contents, Math.Min(Math.Max(FirstRead, searched), limit - searched)) == 0)
                break;
            newline = contents.WrittenSpan.Slice(searched).IndexOf((byte)'\n');
            newline = newline < 0 ? -1 : searched + newline;
        }

        var format = FormatOf(contents.WrittenSpan);
        if (format == null)
            return (null, "no header of a buffer file");
        if (format != CurrentFormat)
            return (new BufferFile(format.Value, null, 0, Array.Empty<long>(), Array.Empty<long>(), 0, 0), null);
        if (newline < 0)
            return (null, "no header of a buffer file");
        try
        {
            using var json = JsonDocument.Parse(new ReadOnlyMemory<byte>(contents.WrittenSegment.Array, 0, newline));
            var root = json.RootElement;
            var count = root.GetProperty("events").GetInt32();
            var bodyLength = root.GetProperty("bytes").GetInt64();
            if (length > MaximumBytes)
                return (null, $"{length:N0} bytes, more than any buffer file");
            if (length != newline + 1 + bodyLength)
                return (null, $"a body of {length - newline - 1} bytes where the header says {bodyLength} (cut short?)");
            var header = new BufferFile(CurrentFormat, root.GetProperty("destination").GetString(), root.GetProperty("crc32").GetUInt32(),
                ReadArray(root.GetProperty("lengths")), ReadArray(root.GetProperty("timestamps")), newline + 1, (int)bodyLength);
            if (header._lengths.Length != count || header.Timestamps.Length != count || count == 0)
                return (null, "a header whose event count does not match its lists");
            return (header, null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            return (null, "a header that cannot be read");
        }
    }

    /// <summary>
    /// Reads the body after this header (left in <paramref name="contents"/>) into <paramref name="batch"/>; returns what
    /// is wrong with it, if anything: a file cut short, damaged or not ours is never sent.
    /// </summary>
    public string? ReadEvents(Stream stream, PooledBufferWriter contents, FormattedBatch batch)
    {
        var end = _bodyStart + _bodyLength;
        while (contents.WrittenCount < end)
        {
            if (ReadInto(stream, contents, end - contents.WrittenCount) == 0)
                return "a body shorter than its header says (cut short?)";
        }

        var body = contents.WrittenSpan.Slice(_bodyStart, _bodyLength);
        if (Checksum(body, _lengths, Timestamps, Destination ?? "") != _crc)
            return "a checksum that does not match its contents (damaged?)";

        // [e1,e2,...]: every event where the lengths say, separated by single commas.
        var position = 1;
        for (var i = 0; i < _lengths.Length; i++)
        {
            var eventLength = _lengths[i];
            if (body[position - 1] != (i == 0 ? (byte)'[' : (byte)',') || eventLength <= 0 || position + eventLength >= body.Length)
                return "events that do not lie where the header says";
            batch.Add(null, DateTimeOffset.FromUnixTimeMilliseconds(Timestamps[i]), body.Slice(position, (int)eventLength));
            position += (int)eventLength + 1;
        }

        return position == body.Length && body[body.Length - 1] == (byte)']' ? null : "a body longer than its events";
    }

    /// <summary>
    /// Takes a file for sending: the open stream holds its lock until disposed. Null when another process or logger has
    /// it, or it is gone.
    /// </summary>
    public static FileStream? TryClaim(string path)
    {
        FileStream? stream = null;
        try
        {
            // Unix: .NET takes an exclusive advisory lock for FileShare.None. Windows: the share mode itself excludes
            // others, and Delete lets the holder remove the file while it is open.
            var share = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? FileShare.Delete : FileShare.None;
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, share);

            // Unix: the lock is taken after the open, so the holder may have deleted (or moved aside) the file in
            // between and released it; what is locked then is no longer the buffer's file. Names are never reused.
            if (File.Exists(path))
                return stream;
            stream.Dispose();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            return null;
        }
    }

    /// <summary>Deletes a claimed file while still holding it, so no other process can take it in between.</summary>
    public static void Delete(FileStream claimed)
    {
        File.Delete(claimed.Name);
        claimed.Dispose();
    }

    /// <summary>The name of what is left of a file once part of it was delivered.</summary>
    public static string RewriteOf(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-r" + BufferDirectory.Extension);

    /// <summary>The file this is a rewrite of, or null for an original.</summary>
    public static string? OriginalOf(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return name.EndsWith("-r", StringComparison.Ordinal)
            ? Path.Combine(Path.GetDirectoryName(path)!, name.Substring(0, name.Length - 2) + BufferDirectory.Extension)
            : null;
    }

    /// <summary>The <c>format</c> a header starts with, or null when the bytes do not start like a buffer file.</summary>
    static int? FormatOf(ReadOnlySpan<byte> prefix)
    {
        try
        {
            var reader = new Utf8JsonReader(prefix, isFinalBlock: false, default);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject &&
                   reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("format") &&
                   reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var format)
                ? format
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static int ReadInto(Stream stream, PooledBufferWriter into, int count)
    {
        MemoryMarshal.TryGetArray<byte>(into.GetMemory(count), out var free);
        var read = stream.Read(free.Array!, free.Offset, count);
        into.Advance(read);
        return read;
    }

    /// <summary>CRC-32 (IEEE) over the body, each length and timestamp as 8 little-endian bytes, and the destination.</summary>
    static uint Checksum(ReadOnlySpan<byte> body, long[] lengths, long[] timestamps, string destination)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(body);
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        foreach (var value in lengths.Concat(timestamps))
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            crc.Append(bytes);
        }

        crc.Append(Encoding.UTF8.GetBytes(destination));
        return crc.GetCurrentHashAsUInt32();
    }

    static void WriteArray(Utf8JsonWriter writer, string name, long[] values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
            writer.WriteNumberValue(value);
        writer.WriteEndArray();
    }

    static long[] ReadArray(JsonElement array) => array.EnumerateArray().Select(value => value.GetInt64()).ToArray();
}
