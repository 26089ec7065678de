using System;
using System.Collections.Generic;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// The keys already written to one JSON object (first writer wins), reused from object to object.
/// </summary>
/// <remarks>
/// Three representations, each name always in the same one: the sink's own field names as bits; for the one set of
/// the top-level object (<see cref="PropertyFlattener.TopLevelKeys"/>), every name the flattener's key table holds as
/// a stamp on its <see cref="FlatKey"/> (no hashing: the table's keys are unique by name, and a name the table does
/// not hold when first used in an event is not added to it later in that event); every other name in a hash set.
/// </remarks>
internal sealed class KeySet
{
    readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    readonly PropertyFlattener? _table;
    int _fields;
    int _stamp;

    public KeySet()
    {
    }

    internal KeySet(PropertyFlattener table)
    {
        _table = table;
    }

    public bool Add(string key)
    {
        var field = EventFields.IndexOf(key);
        if (field >= 0)
            return AddField(field);
        if (_table?.CachedKeyFor(key) is { } cached)
            return Add(cached);
        return _keys.Add(key);
    }

    /// <summary>Adds a key whose <see cref="EventFields.IndexOf"/> is already known.</summary>
    public bool Add(string key, int field) => field >= 0 ? AddField(field) : Add(key);

    /// <summary>Adds <paramref name="key"/>'s <see cref="FlatKey.WrittenName"/>.</summary>
    public bool Add(FlatKey key)
    {
        if (key.Field >= 0)
            return AddField(key.Field);
        if (_table != null && key.Cached)
        {
            if (key.Stamp == _stamp)
                return false;
            key.Stamp = _stamp;
            return true;
        }

        // Through the table where it can hold the written name, so that a key written under another name (a reserved
        // one, prefixed) and a key of that very name are one key.
        return key.WrittenName == key.Name ? _keys.Add(key.WrittenName) : Add(key.WrittenName);
    }

    public bool Contains(string key)
    {
        var field = EventFields.IndexOf(key);
        if (field >= 0)
            return (_fields & (1 << field)) != 0;
        if (_table != null && _table.TryGetCached(key, out var cached))
            return cached.Stamp == _stamp;
        return _keys.Contains(key);
    }

    /// <summary>Whether <paramref name="key"/>'s full <see cref="FlatKey.Name"/> is in the set.</summary>
    public bool ContainsName(FlatKey key)
    {
        // A field name is short, so never cut: Field is that of Name too.
        if (key.Field >= 0)
            return (_fields & (1 << key.Field)) != 0;
        if (_table != null && key.Cached)
            return key.Stamp == _stamp;
        return Contains(key.Name);
    }

    public void Remove(string key)
    {
        var field = EventFields.IndexOf(key);
        if (field >= 0)
            _fields &= ~(1 << field);
        else if (_table != null && _table.TryGetCached(key, out var cached))
            cached.Stamp = 0;
        else
            _keys.Remove(key);
    }

    public void Clear()
    {
        _fields = 0;
        if (_keys.Count != 0)
            _keys.Clear();
        if (_table != null)
            _stamp = _table.NextStamp();
    }

    /// <summary>Adds the field at <paramref name="field"/> (an <see cref="EventFields"/> index).</summary>
    public bool AddField(int field)
    {
        var bit = 1 << field;
        if ((_fields & bit) != 0)
            return false;
        _fields |= bit;
        return true;
    }
}
