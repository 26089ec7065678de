using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;

namespace Serilog.Sinks.DynatraceSecurity.Logging;

/// <summary>
/// The state of a <c>BeginSecurityScope</c> scope: the marker first, then the finding's values, then the attributes in
/// the order given. A key/value list, so Serilog.Extensions.Logging (and any other provider that reads scope state)
/// treats it as a bag of properties; without an <c>{OriginalFormat}</c> entry it adds nothing to the <c>Scope</c> list.
/// </summary>
internal sealed class SecurityScopeState : IReadOnlyList<KeyValuePair<string, object?>>
{
    readonly List<KeyValuePair<string, object?>> _entries;

    public SecurityScopeState(string eventType, List<KeyValuePair<string, object?>>? finding, IEnumerable<KeyValuePair<string, object?>>? attributes)
    {
        _entries = new List<KeyValuePair<string, object?>>
        {
            // First, so that within this scope the marker wins over an attribute of the same name, and the finding's
            // values over the attributes (Serilog.Extensions.Logging keeps the first value of a key).
            new(SecurityEventLoggerExtensions.DefaultMarkerProperty, eventType),
        };
        if (finding != null)
            _entries.AddRange(finding);

        if (attributes == null)
            return;

        foreach (var attribute in attributes)
        {
            if (string.IsNullOrWhiteSpace(attribute.Key))
                throw new ArgumentException("A security scope attribute must have a non-empty name.", nameof(attributes));
            _entries.Add(attribute);
        }
    }

    public int Count => _entries.Count;

    public KeyValuePair<string, object?> this[int index] => _entries[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>What text-based providers (such as the console with <c>IncludeScopes</c>) print for the scope.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var entry in _entries)
        {
            if (text.Length > 0) text.Append(", ");
            text.Append(entry.Key).Append('=').Append(entry.Value is IEnumerable and not string ? Join((IEnumerable)entry.Value) : entry.Value);
        }

        return text.ToString();
    }

    static string Join(IEnumerable values)
    {
        var text = new StringBuilder("[");
        foreach (var value in values)
        {
            if (text.Length > 1) text.Append(", ");
            text.Append(value);
        }

        return text.Append(']').ToString();
    }
}
