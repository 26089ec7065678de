using System;
using System.Collections.Generic;
using System.Linq;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Names whose values are never sent: a property, structure member, dictionary key or static attribute whose name,
/// or whose last dotted segment (<c>db.password</c>), equals one of them, ignoring case, is written as
/// <see cref="Mask"/>, whatever its value and at any depth. Not thread-safe (it caches decisions for dotted names).
/// </summary>
internal sealed class RedactionPolicy
{
    public const string Mask = "[REDACTED]";
    const int MaximumCachedDecisions = 4096;

    readonly HashSet<string> _names;
    readonly Dictionary<string, bool> _dottedDecisions = new(StringComparer.Ordinal);

    public RedactionPolicy(IEnumerable<string> names)
    {
        _names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            if (!string.IsNullOrWhiteSpace(name))
                _names.Add(name.Trim());
        }
    }

    public bool IsEmpty => _names.Count == 0;

    public bool IsRedacted(string name)
    {
        if (_names.Count == 0)
            return false;
        if (_names.Contains(name))
            return true;

        var dot = name.LastIndexOf('.');
        if (dot < 0 || dot == name.Length - 1)
            return false;
        if (_dottedDecisions.TryGetValue(name, out var decided))
            return decided;

        var redacted = _names.Contains(name.Substring(dot + 1));
        if (_dottedDecisions.Count >= MaximumCachedDecisions)
            _dottedDecisions.Clear();
        _dottedDecisions[name] = redacted;
        return redacted;
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

    bool ContainsRedacted(LogEventPropertyValue value) => value switch
    {
        StructureValue structure => structure.Properties.Any(p => IsRedacted(p.Name) || ContainsRedacted(p.Value)),
        DictionaryValue dictionary => dictionary.Elements.Any(e => IsRedacted(KeyName(e.Key)) || ContainsRedacted(e.Value)),
        SequenceValue sequence => sequence.Elements.Any(ContainsRedacted),
        _ => false,
    };

    static string KeyName(ScalarValue key) => key.Value as string ?? key.Value?.ToString() ?? "null";
}
