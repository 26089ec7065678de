using System;
using System.Collections.Generic;
using System.Text.Encodings.Web;
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

    /// <summary>The most keys the table holds; it starts again empty at the next event once full.</summary>
    const int MaximumCachedKeys = 4096;

    /// <summary>Longer names are never kept in the table (they are written as before, just not remembered).</summary>
    const int MaximumCachedNameLength = 256;

    readonly List<KeySet> _nestedKeySets = new();
    readonly RedactionPolicy _redaction;
    readonly ValueWriter _values;
    readonly ReservedNamespaces _reserved;
    // Every cached key, top-level or member, by its full name: at most one FlatKey per name.
    readonly Dictionary<string, FlatKey> _keys = new(StringComparer.Ordinal);
    JavaScriptEncoder? _encoder;
    int _stamp;

    public PropertyFlattener(RedactionPolicy redaction, ValueWriter values, ReservedNamespaces reserved)
    {
        _redaction = redaction;
        _values = values;
        _reserved = reserved;
        TopLevelKeys = new KeySet(this);
    }

    /// <summary>The key set of the event's top-level object (the only one that marks keys on the table).</summary>
    public KeySet TopLevelKeys { get; }

    /// <summary>
    /// Called before each event: the encoded keys are only valid for the writer's encoder, and a full table starts
    /// again (between events, so that no key in use is dropped).
    /// </summary>
    public void BeginEvent(Utf8JsonWriter json)
    {
        var encoder = json.Options.Encoder;
        if (_keys.Count >= MaximumCachedKeys || !ReferenceEquals(encoder, _encoder))
        {
            _keys.Clear();
            _encoder = encoder;
        }
    }

    /// <summary>A new stamp for <see cref="TopLevelKeys"/>: no key of the table carries it yet.</summary>
    internal int NextStamp()
    {
        if (_stamp == int.MaxValue)
        {
            _keys.Clear();
            _stamp = 0;
        }

        return ++_stamp;
    }

    /// <summary>The table's key for <paramref name="name"/>, if the table holds one.</summary>
    internal bool TryGetCached(string name, out FlatKey key) => _keys.TryGetValue(name, out key!);

    /// <summary>The table's key for <paramref name="name"/>, added if the table can take it; null if not.</summary>
    internal FlatKey? CachedKeyFor(string name)
    {
        if (_keys.TryGetValue(name, out var key))
            return key;
        if (!CanCache(name))
            return null;
        key = NewKey(name, cached: true);
        _keys.Add(name, key);
        return key;
    }

    // A reserved name is written under another name, so it is not kept: the table is unique by written name.
    bool CanCache(string name) =>
        _keys.Count < MaximumCachedKeys && name.Length <= MaximumCachedNameLength && !ReservedNamespaces.IsReserved(name);

    FlatKey NewKey(string name, bool cached) => new(name, _reserved.WrittenName(name), _redaction.IsRedacted(name), cached);

    /// <summary>
    /// Writes a property of the event under <paramref name="name"/>, unless a structure's or dictionary's name is
    /// taken already (scalars and sequences meet the same test when their key is written).
    /// </summary>
    public void WriteEventProperty(Utf8JsonWriter json, KeySet writtenKeys, string name, LogEventPropertyValue value)
    {
        var key = Key(name);
        if (value is not (ScalarValue or SequenceValue) && writtenKeys.ContainsName(key))
            return;
        WriteProperty(json, writtenKeys, key, value, 0);
    }

    /// <summary>
    /// Writes <paramref name="value"/> under <paramref name="key"/> unless the key (or, for structures, a flattened
    /// key) is already in <paramref name="writtenKeys"/>.
    /// </summary>
    public void WriteProperty(Utf8JsonWriter json, KeySet writtenKeys, string key, LogEventPropertyValue value) =>
        WriteProperty(json, writtenKeys, Key(key), value, 0);

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
                {
                    var property = properties[i];
                    WriteProperty(json, writtenKeys, Member(key, property.Name), property.Value, depth + 1);
                }

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

        if (!key.Cached)
        {
            json.WritePropertyName(ValueWriter.Repair(key.WrittenName));
            return true;
        }

        if (!key.HasEncoded)
        {
            // Exactly what WritePropertyName(string) would write with this writer's encoder, encoded once.
            key.Encoded = JsonEncodedText.Encode(ValueWriter.Repair(key.WrittenName), _encoder);
            key.HasEncoded = true;
        }

        json.WritePropertyName(key.Encoded);
        return true;
    }

    /// <summary>The key for a top-level name (a property, a member of an object inside an array).</summary>
    FlatKey Key(string name) => CachedKeyFor(name) ?? NewKey(name, cached: false);

    /// <summary>The key of member <paramref name="name"/> of <paramref name="parent"/>: <c>parent.name</c>.</summary>
    FlatKey Member(FlatKey parent, string name)
    {
        if (parent.Members != null && parent.Members.TryGetValue(name, out var member))
            return member;

        var joined = Join(parent.Name, name);
        member = CachedKeyFor(joined);
        if (member == null)
            return NewKey(joined, cached: false);
        if (parent.Cached)
            (parent.Members ??= new Dictionary<string, FlatKey>(StringComparer.Ordinal))[name] = member;
        return member;
    }

    void WriteValue(Utf8JsonWriter json, LogEventPropertyValue value, int depth)
    {
        if (depth >= MaximumDepth && value is not ScalarValue)
        {
            _values.WriteText(json, ValueWriter.TextOf(value));
            return;
        }

        switch (value)
        {
            case ScalarValue scalar:
                _values.WriteScalar(json, scalar.Value);
                break;
            case SequenceValue sequence:
                json.WriteStartArray();
                var elements = sequence.Elements;
                for (var i = 0; i < elements.Count; i++)
                    WriteValue(json, elements[i], depth + 1);
                json.WriteEndArray();
                break;
            case StructureValue or DictionaryValue:
                WriteObject(json, value, depth);
                break;
            default:
                _values.WriteText(json, ValueWriter.TextOf(value));
                break;
        }
    }

    void WriteObject(Utf8JsonWriter json, LogEventPropertyValue value, int depth)
    {
        while (_nestedKeySets.Count <= depth)
            _nestedKeySets.Add(new KeySet());
        var keys = _nestedKeySets[depth];
        keys.Clear();

        json.WriteStartObject();
        if (value is StructureValue structure)
        {
            var properties = structure.Properties;
            for (var i = 0; i < properties.Count; i++)
            {
                var property = properties[i];
                WriteProperty(json, keys, Key(property.Name), property.Value, depth + 1);
            }
        }
        else if (value is DictionaryValue dictionary)
        {
            foreach (var entry in dictionary.Elements)
                WriteProperty(json, keys, Key(KeyText(entry.Key)), entry.Value, depth + 1);
        }

        json.WriteEndObject();
    }

    static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    static string KeyText(ScalarValue key) => key.Value switch
    {
        null => "null",
        string text => text,
        var other => ValueWriter.TextOf(other),
    };
}
