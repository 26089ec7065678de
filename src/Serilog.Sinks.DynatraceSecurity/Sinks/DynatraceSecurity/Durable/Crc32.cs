using System;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>CRC-32 (IEEE 802.3), to notice a buffer file that was cut short or damaged on disk.</summary>
internal static class Crc32
{
    /// <summary>The state before any data: <see cref="Append(uint, ReadOnlySpan{byte})"/> onto it, then <see cref="Finish"/>.</summary>
    public const uint Start = 0xFFFFFFFFu;

    static readonly uint[] Table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
            state = Table[(state ^ b) & 0xFF] ^ (state >> 8);
        return state;
    }

    public static uint Append(uint state, long value)
    {
        for (var i = 0; i < 8; i++, value >>= 8)
            state = Table[(state ^ (byte)value) & 0xFF] ^ (state >> 8);
        return state;
    }

    public static uint Finish(uint state) => ~state;

    static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var value = i;
            for (var bit = 0; bit < 8; bit++)
                value = (value & 1) != 0 ? 0xEDB88320u ^ (value >> 1) : value >> 1;
            table[i] = value;
        }

        return table;
    }
}
