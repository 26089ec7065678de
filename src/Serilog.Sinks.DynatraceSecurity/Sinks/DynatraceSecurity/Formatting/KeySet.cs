using System;
using System.Collections.Generic;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// The keys already written to one JSON object (first writer wins), reused from object to object: the sink's own field
/// names as bits (no hashing for the fields every event has), every other name in a hash set.
/// </summary>
internal sealed class KeySet
{
    readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    int _fields;

    /// <summary>Adds <paramref name="key"/>'s <see cref="FlatKey.WrittenName"/>.</summary>
    public bool Add(FlatKey key) => key.Field >= 0 ? AddField(key.Field) : _keys.Add(key.WrittenName);

    /// <summary>Whether <paramref name="key"/>'s full <see cref="FlatKey.Name"/> is in the set.</summary>
    public bool ContainsName(FlatKey key) =>
        key.Field >= 0 ? (_fields & (1 << key.Field)) != 0 : _keys.Contains(key.Name); // a field name is never cut or prefixed

    /// <summary>Adds the field at <paramref name="field"/> (an <see cref="EventFields"/> index).</summary>
    public bool AddField(int field)
    {
        var bit = 1 << field;
        if ((_fields & bit) != 0)
            return false;
        _fields |= bit;
        return true;
    }

    public void Clear()
    {
        _fields = 0;
        if (_keys.Count != 0)
            _keys.Clear();
    }
}
