using System;
using System.Collections.Generic;
using System.Linq;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Names whose values are never sent: a property, structure member, dictionary key or static attribute whose name,
/// or whose last dotted segment (<c>db.password</c>), equals one of them, ignoring case, is written as
/// <see cref="Mask"/>, whatever its value and at any depth. Not thread-safe (it caches its decisions by name).
/// </summary>
internal sealed class RedactionPolicy
{
    public const string Mask = "[REDACTED]";
    const int MaximumCachedDecisions = 4096;
    const int MaximumCachedNameLength = 256;

    readonly HashSet<string> _names;
    // Every decision, by exact name: one ordinal lookup per property instead of a case-insensitive one (and a
    // substring for dotted names). Bounded: cleared when full.
    readonly Dictionary<string, bool> _decisions = new(StringComparer.Ordinal);

    /// <param name="names">The names, as <c>SinkSettings</c> checked them: none empty, none with white space around it.</param>
    public RedactionPolicy(IEnumerable<string> names) => _names = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);

    public bool IsRedacted(string name)
    {
        if (_names.Count == 0)
            return false;
        if (_decisions.TryGetValue(name, out var decided))
            return decided;

        var redacted = Decide(name);
        if (name.Length <= MaximumCachedNameLength)
        {
            if (_decisions.Count >= MaximumCachedDecisions)
                _decisions.Clear();
            _decisions[name] = redacted;
        }

        return redacted;
    }

    bool Decide(string name)
    {
        if (_names.Contains(name))
            return true;

        var dot = name.LastIndexOf('.');
        if (dot < 0 || dot == name.Length - 1)
            return false;
        return _names.Contains(name.Substring(dot + 1));
    }

    /// <summary>
    /// The value with every redacted member or dictionary entry, at any depth, replaced by the mask; the value itself
    /// when nothing in it is redacted (the common case allocates nothing).
    /// </summary>
    public LogEventPropertyValue Redact(LogEventPropertyValue value)
    {
        if (_names.Count == 0 || !ContainsRedacted(value))
            return value;

        return value switch
        {
            StructureValue structure => new StructureValue(
                structure.Properties.Select(p => new LogEventProperty(p.Name, IsRedacted(p.Name) ? MaskValue : Redact(p.Value))),
                structure.TypeTag),
            DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(e =>
                new KeyValuePair<ScalarValue, LogEventPropertyValue>(e.Key, IsRedacted(KeyName(e.Key)) ? MaskValue : Redact(e.Value)))),
            SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Redact)),
            _ => value,
        };
    }

    static readonly ScalarValue MaskValue = new(Mask);

    bool ContainsRedacted(LogEventPropertyValue value)
    {
        // Loops rather than LINQ: this runs for every structured value in a message template.
        switch (value)
        {
            case StructureValue structure:
                var properties = structure.Properties;
                for (var i = 0; i < properties.Count; i++)
                {
                    if (IsRedacted(properties[i].Name) || ContainsRedacted(properties[i].Value))
                        return true;
                }

                return false;
            case DictionaryValue dictionary:
                foreach (var entry in dictionary.Elements)
                {
                    if (IsRedacted(KeyName(entry.Key)) || ContainsRedacted(entry.Value))
                        return true;
                }

                return false;
            case SequenceValue sequence:
                var elements = sequence.Elements;
                for (var i = 0; i < elements.Count; i++)
                {
                    if (ContainsRedacted(elements[i]))
                        return true;
                }

                return false;
            default:
                return false;
        }
    }

    static string KeyName(ScalarValue key) => key.Value as string ?? key.Value?.ToString() ?? "null";
}
