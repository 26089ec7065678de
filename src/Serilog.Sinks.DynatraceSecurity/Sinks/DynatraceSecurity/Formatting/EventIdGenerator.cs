using System;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// The <c>event.id</c> of each event: 128 bits, unique per event. A random <see cref="Guid"/> is drawn once every
/// <see cref="IdsPerSeed"/> ids and each id is that Guid with a counter mixed into its last four bytes, so ids are
/// distinct within a seed and share a random 90-bit prefix (version and variant bits kept) with no other seed.
/// <see cref="Guid.NewGuid"/> per event would cost a system call each (it reads the kernel's random source on Linux),
/// several times the cost of formatting the event. Not thread-safe: one per <see cref="EventSerializer"/>.
/// </summary>
internal sealed class EventIdGenerator
{
    public const int IdsPerSeed = 4096;

    int _a;
    short _b;
    short _c;
    byte _d, _e, _f, _g;
    uint _tail;
    int _issued = IdsPerSeed;

    public Guid Next()
    {
        if (_issued == IdsPerSeed)
            Reseed();

        var tail = _tail ^ (uint)_issued++;
        return new Guid(_a, _b, _c, _d, _e, _f, _g, (byte)(tail >> 24), (byte)(tail >> 16), (byte)(tail >> 8), (byte)tail);
    }

    void Reseed()
    {
        var bytes = Guid.NewGuid().ToByteArray();
        _a = BitConverter.ToInt32(bytes, 0);
        _b = BitConverter.ToInt16(bytes, 4);
        _c = BitConverter.ToInt16(bytes, 6);
        _d = bytes[8];
        _e = bytes[9];
        _f = bytes[10];
        _g = bytes[11];
        _tail = (uint)(bytes[12] << 24 | bytes[13] << 16 | bytes[14] << 8 | bytes[15]);
        _issued = 0;
    }
}
