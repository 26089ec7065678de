using System;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// What takes the place of the sink's own value for each built-in field: the event's property written under that
/// field's name (after renames; the first in the event's order), else an attribute of that name. Attributes are known
/// once; the properties are found again for each event. Not thread-safe.
/// </summary>
internal sealed class GivenFields
{
    readonly LogEventPropertyValue?[] _properties = new LogEventPropertyValue?[EventFields.All.Count];
    readonly EventAttribute?[] _attributes = new EventAttribute?[EventFields.All.Count];

    /// <param name="attributes">The attributes in precedence order: for a field, the first one named like it counts.</param>
    public GivenFields(EventAttribute[] attributes)
    {
        foreach (var attribute in attributes)
        {
            if (EventFields.Find(attribute.Key) is { } field && _attributes[field.Index] == null)
                _attributes[field.Index] = attribute;
        }
    }

    /// <summary>Forgets the properties of the previous event.</summary>
    public void Clear() => Array.Clear(_properties, 0, _properties.Length);

    /// <summary>Notes a property of the event written as <paramref name="writtenName"/>.</summary>
    public void Consider(string writtenName, LogEventPropertyValue value)
    {
        if (EventFields.Find(writtenName) is { } field)
            _properties[field.Index] ??= value;
    }

    /// <summary>Whether the event or an attribute gives <paramref name="field"/>.</summary>
    public bool Has(Field field) => _properties[field.Index] != null || _attributes[field.Index] != null;

    public LogEventPropertyValue? Property(Field field) => _properties[field.Index];

    public EventAttribute? Attribute(Field field) => _attributes[field.Index];

    /// <summary>The text given for <paramref name="field"/>: a string property, or an attribute's value; else null.</summary>
    public string? Text(Field field) =>
        _properties[field.Index] is ScalarValue { Value: string text } ? text
        : _properties[field.Index] == null ? _attributes[field.Index]?.Value as string
        : null;
}
