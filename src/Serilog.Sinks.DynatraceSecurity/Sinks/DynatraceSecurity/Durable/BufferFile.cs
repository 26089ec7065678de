using System;
using System.Buffers.Binary;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// The format of one buffer file: a header line, then the exact request body. The header holds what is needed to check
/// the body and split it by event: <c>{"format":1,"events":n,"bytes":b,"crc32":c,"lengths":[...],"timestamps":[...]}</c>
/// (timestamps in Unix milliseconds, for the 24-hour rule; the checksum covers the body and both lists, so a damaged
/// length or timestamp is noticed too). The body is <c>[e1,e2,...]</c>, each event exactly as it was sent, so its
/// <c>event.id</c> survives a restart.
/// </summary>
internal static class BufferFile
{
    const int Format = 1;

    /// <summary>Writes <paramref name="events"/> of <paramref name="batch"/> as one file's contents to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, FormattedBatch batch, EventSet events, PooledBufferWriter body)
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
            header.WriteNumber("format", Format);
            header.WriteNumber("events", events.Count);
            header.WriteNumber("bytes", bytes.Count);
            header.WriteNumber("crc32", Checksum(bytes, lengths, timestamps));
            WriteArray(header, "lengths", lengths);
            WriteArray(header, "timestamps", timestamps);
            header.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        stream.Write(bytes.Array!, bytes.Offset, bytes.Count);
    }

    /// <summary>
    /// Reads a file's contents into <paramref name="batch"/> (events without a <c>LogEvent</c>); returns what is wrong
    /// with it, or null when it is whole: a file cut short, damaged or not ours is never sent.
    /// </summary>
    public static string? TryRead(byte[] contents, int length, FormattedBatch batch)
    {
        var newline = Array.IndexOf(contents, (byte)'\n', 0, length);
        if (newline < 0)
            return "no header";
        try
        {
            using var header = JsonDocument.Parse(contents.AsMemory(0, newline));
            var root = header.RootElement;
            if (root.GetProperty("format").GetInt32() != Format)
                return "an unknown format";
            var count = root.GetProperty("events").GetInt32();
            var bodyLength = root.GetProperty("bytes").GetInt32();
            var body = contents.AsSpan(newline + 1, length - newline - 1);
            if (body.Length != bodyLength)
                return $"a body of {body.Length} bytes where the header says {bodyLength} (cut short?)";
            var lengths = ReadArray(root.GetProperty("lengths"));
            var timestamps = ReadArray(root.GetProperty("timestamps"));
            if (lengths.Length != count || timestamps.Length != count || count == 0)
                return "a header whose event count does not match its lists";
            if (Checksum(body, lengths, timestamps) != root.GetProperty("crc32").GetUInt32())
                return "a checksum that does not match its contents (damaged?)";

            // [e1,e2,...]: every event where the lengths say, separated by single commas.
            var position = 1;
            for (var i = 0; i < count; i++)
            {
                var eventLength = checked((int)lengths[i]);
                if (body[position - 1] != (i == 0 ? (byte)'[' : (byte)',') || eventLength <= 0 || position + eventLength >= body.Length)
                    return "events that do not lie where the header says";
                batch.Add(null, DateTimeOffset.FromUnixTimeMilliseconds(timestamps[i]), body.Slice(position, eventLength));
                position += eventLength + 1;
            }

            return position == body.Length && body[body.Length - 1] == (byte)']' ? null : "a body longer than its events";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            return "a header that cannot be read";
        }
    }

    /// <summary>CRC-32 (IEEE) over the body, then each length and timestamp as 8 little-endian bytes.</summary>
    static uint Checksum(ReadOnlySpan<byte> body, long[] lengths, long[] timestamps)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(body);
        Span<byte> value = stackalloc byte[sizeof(long)];
        foreach (var length in lengths)
        {
            BinaryPrimitives.WriteInt64LittleEndian(value, length);
            crc.Append(value);
        }

        foreach (var timestamp in timestamps)
        {
            BinaryPrimitives.WriteInt64LittleEndian(value, timestamp);
            crc.Append(value);
        }

        return crc.GetCurrentHashAsUInt32();
    }

    static void WriteArray(Utf8JsonWriter writer, string name, long[] values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
            writer.WriteNumberValue(value);
        writer.WriteEndArray();
    }

    static long[] ReadArray(JsonElement array)
    {
        var values = new long[array.GetArrayLength()];
        for (var i = 0; i < values.Length; i++)
            values[i] = array[i].GetInt64();
        return values;
    }
}
