using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// What takes the place of the sink's own value for each built-in field: the event's property written under that
/// field's name (after renames; the first in the event's order), else an attribute of that name. Attributes are known
/// once; the properties are found again for each event. Not thread-safe.
/// </summary>
internal sealed class GivenFields
{
    readonly LogEventPropertyValue?[] _properties = new LogEventPropertyValue?[EventFields.GivenCount];
    readonly EventAttribute?[] _attributes = new EventAttribute?[EventFields.GivenCount];
    readonly int _attributeMask;
    int _propertyMask;

    /// <param name="attributes">The attributes in precedence order: for a field, the first one named like it counts.</param>
    public GivenFields(EventAttribute[] attributes)
    {
        foreach (var attribute in attributes)
        {
            var field = EventFields.IndexOf(attribute.Key);
            if (field >= 0 && field < EventFields.GivenCount && _attributes[field] == null)
            {
                _attributes[field] = attribute;
                _attributeMask |= 1 << field;
            }
        }
    }

    /// <summary>Forgets the properties of the previous event.</summary>
    public void Clear()
    {
        for (var mask = _propertyMask; mask != 0; mask &= mask - 1)
            _properties[TrailingZeros(mask)] = null;
        _propertyMask = 0;
    }

    /// <summary>Notes a property of the event written as <paramref name="writtenName"/>.</summary>
    public void Consider(string writtenName, LogEventPropertyValue value)
    {
        var field = EventFields.IndexOf(writtenName);
        if (field < 0 || field >= EventFields.GivenCount || (_propertyMask & (1 << field)) != 0)
            return;
        _properties[field] = value;
        _propertyMask |= 1 << field;
    }

    /// <summary>Whether the event or an attribute gives <paramref name="field"/>.</summary>
    public bool Has(Field field) => ((_propertyMask | _attributeMask) & (1 << field.Index)) != 0;

    public LogEventPropertyValue? Property(Field field) => _properties[field.Index];

    public EventAttribute? Attribute(Field field) => _attributes[field.Index];

    /// <summary>The text given for <paramref name="field"/>: a string property, or an attribute's value; else null.</summary>
    public string? Text(Field field) =>
        _properties[field.Index] is ScalarValue { Value: string text } ? text
        : _properties[field.Index] == null ? _attributes[field.Index]?.Value as string
        : null;

    static int TrailingZeros(int mask)
    {
        var count = 0;
        while ((mask & 1) == 0)
        {
            mask >>= 1;
            count++;
        }

        return count;
    }
}
