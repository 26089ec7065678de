using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// What takes the place of the sink's own value for each built-in field: the event's property written under that
/// field's name (after renames; the first in the event's order), else an attribute of that name. Attributes are known
/// once; the properties are found again for each event. Not thread-safe.
/// </summary>
internal sealed class GivenFields
{
    readonly LogEventPropertyValue?[] _properties = new LogEventPropertyValue?[EventFields.Count];
    readonly EventAttribute?[] _attributes = new EventAttribute?[EventFields.Count];
    readonly int _attributeMask;
    int _propertyMask;

    /// <param name="attributes">The attributes in precedence order: for a field, the first one named like it counts.</param>
    public GivenFields(EventAttribute[] attributes)
    {
        foreach (var attribute in attributes)
        {
            var field = EventFields.IndexOf(attribute.Key);
            if (field is >= 0 and < EventFields.Count && _attributes[field] == null)
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
        if (field is < 0 or >= EventFields.Count || (_propertyMask & (1 << field)) != 0)
            return;
        _properties[field] = value;
        _propertyMask |= 1 << field;
    }

    /// <summary>Whether the event or an attribute gives <paramref name="field"/>.</summary>
    public bool Has(int field) => ((_propertyMask | _attributeMask) & (1 << field)) != 0;

    public LogEventPropertyValue? Property(int field) => _properties[field];

    public EventAttribute? Attribute(int field) => _attributes[field];

    /// <summary>The text given for <paramref name="field"/>: a string property, or an attribute's value; else null.</summary>
    public string? Text(int field) =>
        _properties[field] is ScalarValue { Value: string text } ? text : _properties[field] == null ? _attributes[field]?.Value as string : null;

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
