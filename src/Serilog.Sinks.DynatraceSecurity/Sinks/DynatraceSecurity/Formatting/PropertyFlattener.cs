using System;
using System.Collections.Generic;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes property values as flattened JSON: structures and dictionaries become dotted keys (<c>User.Name</c>),
/// sequences stay arrays (a structure inside a sequence becomes a flattened object), scalars keep their JSON type.
/// Within one object the first writer of a key wins; later duplicates are skipped. Names the
/// <see cref="RedactionPolicy"/> covers are written as its mask, at any depth.
/// Not thread-safe: it reuses its key sets and keeps a table of the keys it has written (<see cref="FlatKey"/>).
/// </summary>
internal sealed class PropertyFlattener
{
    /// <summary>Nesting deeper than this is written as the value's text.</summary>
    public const int MaximumDepth = 10;

    /// <summary>Keys longer than this many characters are cut (a duplicate that results is skipped like any other).</summary>
    public const int MaximumKeyLength = 1024;

    // The table is bounded: at most this many keys (it starts again empty at the next event once full), of names at
    // most this long (longer ones are written as before, just not remembered).
    const int MaximumCachedKeys = 4096;
    const int MaximumCachedNameLength = 256;

    readonly List<KeySet> _nestedKeySets = new();
    readonly RedactionPolicy _redaction;
    readonly ValueWriter _values;
    readonly ReservedNamespaces _reserved;
    // Every cached key, top-level or member, by its full name: at most one FlatKey per name.
    readonly Dictionary<string, FlatKey> _keys = new(StringComparer.Ordinal);
    // The parent of the members of an object inside an array: its members' names are their own.
    readonly FlatKey _root = new("", "", redacted: false, cached: true);

    public PropertyFlattener(RedactionPolicy redaction, ValueWriter values, ReservedNamespaces reserved)
    {
        _redaction = redaction;
        _values = values;
        _reserved = reserved;
    }

    /// <summary>The keys written to the event's top-level object, by any writer.</summary>
    public KeySet TopLevelKeys { get; } = new();

    /// <summary>Called before each event; a full table starts again here, so that no key in use is dropped.</summary>
    public void BeginEvent()
    {
        TopLevelKeys.Clear();
        if (_keys.Count >= MaximumCachedKeys)
        {
            _keys.Clear();
            _root.Members = null;
        }
    }

    /// <summary>
    /// Writes a property of the event under <paramref name="name"/>, unless a structure's or dictionary's name is
    /// taken already (scalars and sequences meet the same test when their key is written).
    /// </summary>
    public void WriteEventProperty(Utf8JsonWriter json, string name, LogEventPropertyValue value)
    {
        var key = Key(name);
        if (value is not (ScalarValue or SequenceValue) && TopLevelKeys.ContainsName(key))
            return;
        WriteProperty(json, TopLevelKeys, key, value, 0);
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="name"/>, each (flattened) key unless it is taken.</summary>
    public void WriteProperty(Utf8JsonWriter json, string name, LogEventPropertyValue value) =>
        WriteProperty(json, TopLevelKeys, Key(name), value, 0);

    /// <summary>Writes an attribute (a scalar: text, number, boolean or null) unless its key is taken.</summary>
    public void WriteAttribute(Utf8JsonWriter json, FlatKey key, object? value)
    {
        if (!TryWriteKey(json, TopLevelKeys, key))
            return;
        if (key.Redacted)
            json.WriteStringValue(RedactionPolicy.Mask);
        else
            _values.WriteScalar(json, value);
    }

    void WriteProperty(Utf8JsonWriter json, KeySet writtenKeys, FlatKey key, LogEventPropertyValue value, int depth)
    {
        if (key.Redacted)
        {
            if (TryWriteKey(json, writtenKeys, key))
                json.WriteStringValue(RedactionPolicy.Mask);
            return;
        }

        switch (value)
        {
            case StructureValue structure when depth < MaximumDepth:
                var properties = structure.Properties;
                for (var i = 0; i < properties.Count; i++)
                    WriteProperty(json, writtenKeys, Member(key, properties[i].Name), properties[i].Value, depth + 1);
                break;
            case DictionaryValue dictionary when depth < MaximumDepth:
                foreach (var entry in dictionary.Elements)
                    WriteProperty(json, writtenKeys, Member(key, KeyText(entry.Key)), entry.Value, depth + 1);
                break;
            default:
                if (TryWriteKey(json, writtenKeys, key))
                    WriteValue(json, value, depth);
                break;
        }
    }

    /// <summary>Writes the key if it is new; false when it was taken already (nothing is written then).</summary>
    bool TryWriteKey(Utf8JsonWriter json, KeySet writtenKeys, FlatKey key)
    {
        if (!writtenKeys.Add(key))
            return false;
        json.WritePropertyName(ValueWriter.Repair(key.WrittenName));
        return true;
    }

    /// <summary>The key for a top-level name: the table's, added if the table can take it.</summary>
    FlatKey Key(string name)
    {
        if (_keys.TryGetValue(name, out var key))
            return key;
        var cached = _keys.Count < MaximumCachedKeys && name.Length <= MaximumCachedNameLength;
        var written = _reserved.WrittenName(name);
        written = written.Substring(0, ValueWriter.CutIndex(written.AsSpan(), MaximumKeyLength));
        key = new FlatKey(name, written, _redaction.IsRedacted(name), cached);
        if (cached)
            _keys.Add(name, key);
        return key;
    }

    /// <summary>The key of member <paramref name="name"/> of <paramref name="parent"/>: <c>parent.name</c>.</summary>
    FlatKey Member(FlatKey parent, string name)
    {
        if (parent.Members != null && parent.Members.TryGetValue(name, out var member))
            return member;

        member = Key(parent.Name.Length == 0 ? name : parent.Name + "." + name);
        if (parent.Cached && member.Cached)
            (parent.Members ??= new Dictionary<string, FlatKey>(StringComparer.Ordinal))[name] = member;
        return member;
    }

    void WriteValue(Utf8JsonWriter json, LogEventPropertyValue value, int depth)
    {
        switch (value)
        {
            case ScalarValue scalar:
                _values.WriteScalar(json, scalar.Value);
                break;
            case SequenceValue sequence when depth < MaximumDepth:
                json.WriteStartArray();
                var elements = sequence.Elements;
                for (var i = 0; i < elements.Count; i++)
                    WriteValue(json, elements[i], depth + 1);
                json.WriteEndArray();
                break;
            case StructureValue or DictionaryValue when depth < MaximumDepth:
                while (_nestedKeySets.Count <= depth)
                    _nestedKeySets.Add(new KeySet());
                var keys = _nestedKeySets[depth];
                keys.Clear();
                json.WriteStartObject();
                WriteProperty(json, keys, _root, value, depth);
                json.WriteEndObject();
                break;
            default:
                _values.WriteText(json, ValueWriter.TextOf(value));
                break;
        }
    }

    static string KeyText(ScalarValue key) => key.Value switch
    {
        null => "null",
        string text => text,
        var other => ValueWriter.TextOf(other),
    };
}
