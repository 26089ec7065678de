using System.Collections.Generic;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes property values as flattened JSON: structures and dictionaries become dotted keys (<c>User.Name</c>),
/// sequences stay arrays (a structure inside a sequence becomes a flattened object), scalars keep their JSON type.
/// Within one object the first writer of a key wins; later duplicates are skipped.
/// Not thread-safe: it reuses its key sets.
/// </summary>
internal sealed class PropertyFlattener
{
    /// <summary>Nesting deeper than this is written as the value's text.</summary>
    public const int MaximumDepth = 10;

    readonly List<HashSet<string>> _nestedKeySets = new();

    /// <summary>
    /// Writes <paramref name="value"/> under <paramref name="key"/> unless the key (or, for structures, a flattened
    /// key) is already in <paramref name="writtenKeys"/>.
    /// </summary>
    public void WriteProperty(Utf8JsonWriter json, HashSet<string> writtenKeys, string key, LogEventPropertyValue value, int depth = 0)
    {
        switch (value)
        {
            case StructureValue structure when depth < MaximumDepth:
                foreach (var property in structure.Properties)
                    WriteProperty(json, writtenKeys, Join(key, property.Name), property.Value, depth + 1);
                break;
            case DictionaryValue dictionary when depth < MaximumDepth:
                foreach (var entry in dictionary.Elements)
                    WriteProperty(json, writtenKeys, Join(key, KeyText(entry.Key)), entry.Value, depth + 1);
                break;
            default:
                if (!writtenKeys.Add(key))
                    return;
                json.WritePropertyName(SafeText.Repair(key));
                WriteValue(json, value, depth);
                break;
        }
    }

    void WriteValue(Utf8JsonWriter json, LogEventPropertyValue value, int depth)
    {
        if (depth >= MaximumDepth && value is not ScalarValue)
        {
            json.WriteStringValue(SafeText.Of(value));
            return;
        }

        switch (value)
        {
            case ScalarValue scalar:
                ScalarWriter.Write(json, scalar.Value);
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
                json.WriteStringValue(SafeText.Of(value));
                break;
        }
    }

    void WriteObject(Utf8JsonWriter json, LogEventPropertyValue value, int depth)
    {
        while (_nestedKeySets.Count <= depth)
            _nestedKeySets.Add(new HashSet<string>(System.StringComparer.Ordinal));
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
