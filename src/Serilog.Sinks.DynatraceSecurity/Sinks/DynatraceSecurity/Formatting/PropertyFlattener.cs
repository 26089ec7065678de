using System;
using System.Collections.Generic;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes property values as flattened JSON: structures and dictionaries become dotted keys (<c>User.Name</c>),
/// sequences stay arrays (a structure inside a sequence becomes a flattened object), scalars keep their JSON type.
/// Within one object the first writer of a key wins; later duplicates are skipped. Names the
/// <see cref="RedactionPolicy"/> covers are written as its mask, at any depth. A key under a namespace OpenPipeline
/// reserves is written with a prefix (<see cref="ReservedNamespaces"/>). Not thread-safe: it reuses its key sets.
/// </summary>
internal sealed class PropertyFlattener
{
    /// <summary>Nesting deeper than this is written as the value's text.</summary>
    public const int MaximumDepth = 10;

    /// <summary>Keys longer than this many characters are cut (a duplicate that results is skipped like any other).</summary>
    public const int MaximumKeyLength = 1024;

    readonly List<HashSet<string>> _nestedKeySets = new();
    readonly RedactionPolicy _redaction;
    readonly TextValueWriter _text;
    readonly ReservedNamespaces _reserved;

    public PropertyFlattener(RedactionPolicy redaction, TextValueWriter text, ReservedNamespaces reserved)
    {
        _redaction = redaction;
        _text = text;
        _reserved = reserved;
    }

    /// <summary>The name a key is written under: prefixed when reserved, cut to <see cref="MaximumKeyLength"/>.</summary>
    public string WrittenName(string name)
    {
        var written = _reserved.WrittenName(name);
        return written.Length > MaximumKeyLength ? written.Substring(0, SafeText.CutIndex(written.AsSpan(), MaximumKeyLength)) : written;
    }

    /// <summary>
    /// Writes a property of the event under <paramref name="name"/>, unless a structure's or dictionary's name is
    /// taken already (scalars and sequences meet the same test when their key is written).
    /// </summary>
    public void WriteEventProperty(Utf8JsonWriter json, HashSet<string> writtenKeys, string name, LogEventPropertyValue value)
    {
        if (value is not (ScalarValue or SequenceValue) && writtenKeys.Contains(name))
            return;
        WriteProperty(json, writtenKeys, name, value, 0);
    }

    /// <summary>
    /// Writes <paramref name="value"/> under <paramref name="name"/> unless the key (or, for structures, a flattened
    /// key) is already in <paramref name="writtenKeys"/>.
    /// </summary>
    public void WriteProperty(Utf8JsonWriter json, HashSet<string> writtenKeys, string name, LogEventPropertyValue value) =>
        WriteProperty(json, writtenKeys, name, value, 0);

    void WriteProperty(Utf8JsonWriter json, HashSet<string> writtenKeys, string name, LogEventPropertyValue value, int depth)
    {
        if (_redaction.IsRedacted(name))
        {
            if (TryWriteKey(json, writtenKeys, name))
                json.WriteStringValue(RedactionPolicy.Mask);
            return;
        }

        switch (value)
        {
            case StructureValue structure when depth < MaximumDepth:
                foreach (var property in structure.Properties)
                    WriteProperty(json, writtenKeys, Join(name, property.Name), property.Value, depth + 1);
                break;
            case DictionaryValue dictionary when depth < MaximumDepth:
                foreach (var entry in dictionary.Elements)
                    WriteProperty(json, writtenKeys, Join(name, KeyText(entry.Key)), entry.Value, depth + 1);
                break;
            default:
                if (TryWriteKey(json, writtenKeys, name))
                    WriteValue(json, value, depth);
                break;
        }
    }

    /// <summary>Writes the key if it is new; false when it was taken already (nothing is written then).</summary>
    bool TryWriteKey(Utf8JsonWriter json, HashSet<string> writtenKeys, string name)
    {
        var written = WrittenName(name);
        if (!writtenKeys.Add(written))
            return false;
        json.WritePropertyName(SafeText.Repair(written));
        return true;
    }

    void WriteValue(Utf8JsonWriter json, LogEventPropertyValue value, int depth)
    {
        if (depth >= MaximumDepth && value is not ScalarValue)
        {
            _text.WriteValue(json, SafeText.Of(value));
            return;
        }

        switch (value)
        {
            case ScalarValue scalar:
                ScalarWriter.Write(json, scalar.Value, _text);
                break;
            case SequenceValue sequence:
                json.WriteStartArray();
                foreach (var element in sequence.Elements)
                    WriteValue(json, element, depth + 1);
                json.WriteEndArray();
                break;
            case StructureValue or DictionaryValue:
                WriteObject(json, value, depth);
                break;
            default:
                _text.WriteValue(json, SafeText.Of(value));
                break;
        }
    }

    void WriteObject(Utf8JsonWriter json, LogEventPropertyValue value, int depth)
    {
        while (_nestedKeySets.Count <= depth)
            _nestedKeySets.Add(new HashSet<string>());
        var keys = _nestedKeySets[depth];
        keys.Clear();

        json.WriteStartObject();
        if (value is StructureValue structure)
        {
            foreach (var property in structure.Properties)
                WriteProperty(json, keys, property.Name, property.Value, depth + 1);
        }
        else if (value is DictionaryValue dictionary)
        {
            foreach (var entry in dictionary.Elements)
                WriteProperty(json, keys, KeyText(entry.Key), entry.Value, depth + 1);
        }

        json.WriteEndObject();
    }

    static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    static string KeyText(ScalarValue key) => key.Value switch
    {
        null => "null",
        string text => text,
        var other => SafeText.Of(other),
    };
}
