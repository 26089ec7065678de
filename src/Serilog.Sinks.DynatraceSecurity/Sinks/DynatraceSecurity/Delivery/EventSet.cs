using System.Collections.Generic;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>Some events of a <see cref="FormattedBatch"/>, by index, in order: one request, or a part of one.</summary>
internal readonly struct EventSet
{
    readonly int[] _indices;
    readonly int _offset;

    EventSet(int[] indices, int offset, int count)
    {
        _indices = indices;
        _offset = offset;
        Count = count;
    }

    public static EventSet Range(int first, int count)
    {
        var indices = new int[count];
        for (var i = 0; i < count; i++)
            indices[i] = first + i;
        return new EventSet(indices, 0, count);
    }

    public static EventSet Of(List<int> indices) => new(indices.ToArray(), 0, indices.Count);

    public int Count { get; }
    public int this[int position] => _indices[_offset + position];

    public EventSet Slice(int start, int count) => new(_indices, _offset + start, count);
    public (EventSet First, EventSet Second) Halves() => (Slice(0, Count / 2), Slice(Count / 2, Count - Count / 2));

    /// <summary>These events but those at <paramref name="positions"/> (ascending).</summary>
    public EventSet Without(List<int> positions)
    {
        var kept = new List<int>(Count);
        var next = 0;
        for (var i = 0; i < Count; i++)
        {
            if (next < positions.Count && positions[next] == i)
                next++;
            else
                kept.Add(this[i]);
        }

        return Of(kept);
    }
}
