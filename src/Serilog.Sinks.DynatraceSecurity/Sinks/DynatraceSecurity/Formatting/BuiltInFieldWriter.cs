using System;
using System.Buffers.Text;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes the built-in fields, in <see cref="EventFields"/> order, each once: what the event or an attribute gives for
/// it, else the sink's own value, if it has one. The one place that decides what each field holds; the defaults make
/// every event complete for Dynatrace's security apps (see docs/events.md's field table). Not thread-safe: it keeps
/// what the current event gives and shares the formatter's buffers.
/// </summary>
internal sealed class BuiltInFieldWriter
{
    /// <summary>The longest <c>finding.title</c> the sink makes from a message, in characters (with the ellipsis).</summary>
    public const int TitleLength = 256;

    readonly SecurityMarker _marker;
    readonly PropertyFlattener _flattener;
    readonly ValueWriter _values;
    readonly MessageRenderer _messageRenderer;
    readonly KeySet _keys;
    readonly string _applicationName;
    readonly string? _productName;
    readonly string? _productVendor;

    // By field: the event's property written under its name (after renames; the first in the event's order), else
    // the first attribute of that name. Attributes are known once; properties are given again for each event.
    readonly LogEventPropertyValue?[] _givenProperties = new LogEventPropertyValue?[EventFields.GivenCount];
    readonly EventAttribute?[] _givenAttributes = new EventAttribute?[EventFields.GivenCount];
    readonly int _attributeMask;
    int _propertyMask;

    /// <summary>Takes the attributes in precedence order: for a field, the first one named like it counts.</summary>
    public BuiltInFieldWriter(SinkSettings settings, SecurityMarker marker, PropertyFlattener flattener, ValueWriter values,
        RedactionPolicy redaction, EventAttribute[] attributes)
    {
        _marker = marker;
        _flattener = flattener;
        _values = values;
        _messageRenderer = new MessageRenderer(redaction);
        _keys = flattener.TopLevelKeys;
        _applicationName = settings.EventProvider;
        _productName = settings.ProductName;
        _productVendor = settings.ProductVendor;
        foreach (var attribute in attributes)
        {
            var field = EventFields.IndexOf(attribute.Key);
            if (field >= 0 && field < EventFields.GivenCount && _givenAttributes[field] == null)
            {
                _givenAttributes[field] = attribute;
                _attributeMask |= 1 << field;
            }
        }
    }

    /// <summary>Forgets what the previous event gave.</summary>
    public void Clear()
    {
        if (_propertyMask != 0)
            Array.Clear(_givenProperties, 0, _givenProperties.Length);
        _propertyMask = 0;
    }

    /// <summary>Notes a property of the event written as <paramref name="writtenName"/>.</summary>
    public void Give(string writtenName, LogEventPropertyValue value)
    {
        var field = EventFields.IndexOf(writtenName);
        if (field < 0 || field >= EventFields.GivenCount || (_propertyMask & (1 << field)) != 0)
            return;
        _givenProperties[field] = value;
        _propertyMask |= 1 << field;
    }

    public void Write(Utf8JsonWriter json, LogEvent logEvent, Guid eventId)
    {
        if (!TryWriteGiven(json, EventFields.Timestamp))
            WriteTimestamp(json, EventFields.Timestamp, logEvent);

        if (!TryWriteGiven(json, EventFields.EventKind))
            WriteEncoded(json, EventFields.EventKind, EventFields.SecurityEventKindValue);

        _marker.TryGetEventType(logEvent, out var eventType);
        if (!TryWriteGiven(json, EventFields.EventType))
            WriteText(json, EventFields.EventType, eventType);

        if (!TryWriteGiven(json, EventFields.EventId))
            WriteId(json, EventFields.EventId, eventId);

        // Rendered once, for the description and the title.
        var message = ReadOnlySpan<char>.Empty;
        var rendered = false;
        if (!TryWriteGiven(json, EventFields.EventDescription))
        {
            message = _messageRenderer.Render(logEvent);
            rendered = true;
            _values.WriteText(json, EventFields.Key(EventFields.EventDescription), message);
            _keys.AddField(EventFields.EventDescription);
        }

        WriteGivenOrText(json, EventFields.EventProvider, _applicationName);
        WriteGivenOrText(json, EventFields.ProductName, _productName);
        WriteGivenOrText(json, EventFields.ProductVendor, _productVendor);

        // Each log event is one finding: its id and time are the event's own, as written.
        if (!TryWriteGiven(json, EventFields.FindingId, EventFields.EventId))
            WriteId(json, EventFields.FindingId, eventId);

        if (!TryWriteGiven(json, EventFields.FindingType))
            WriteText(json, EventFields.FindingType, FindingTypeOf(logEvent, eventType));

        if (!TryWriteGiven(json, EventFields.FindingTitle))
            WriteTitle(json, rendered ? message : _messageRenderer.Render(logEvent));

        if (!TryWriteGiven(json, EventFields.FindingTimeCreated, EventFields.Timestamp))
            WriteTimestamp(json, EventFields.FindingTimeCreated, logEvent);

        WriteRisk(json, logEvent);

        if (!TryWriteGiven(json, EventFields.ObjectType))
            WriteEncoded(json, EventFields.ObjectType, EventFields.ProcessObjectTypeValue);

        WriteGivenOrText(json, EventFields.ObjectId, _applicationName);

        var exception = logEvent.Exception;
        if (!TryWriteGiven(json, EventFields.ExceptionType) && exception != null)
            WriteText(json, EventFields.ExceptionType, exception.GetType().FullName);
        if (!TryWriteGiven(json, EventFields.ExceptionMessage) && exception != null)
            WriteText(json, EventFields.ExceptionMessage, Describe(exception, static e => e.Message));
        if (!TryWriteGiven(json, EventFields.ExceptionStackTrace) && exception != null)
            WriteText(json, EventFields.ExceptionStackTrace, Describe(exception, static e => e.ToString()));

        if (!TryWriteGiven(json, EventFields.TraceId) && logEvent.TraceId is { } traceId)
        {
            Span<byte> id = stackalloc byte[16];
            traceId.CopyTo(id);
            WriteHex(json, EventFields.TraceId, id);
        }

        if (!TryWriteGiven(json, EventFields.SpanId) && logEvent.SpanId is { } spanId)
        {
            Span<byte> id = stackalloc byte[8];
            spanId.CopyTo(id);
            WriteHex(json, EventFields.SpanId, id);
        }
    }

    /// <summary>
    /// <c>finding.severity</c> from the level; <c>dt.security.risk.level</c> from <c>finding.severity</c> as written when
    /// that names one of the four levels, else from the level; <c>dt.security.risk.score</c> for the risk level as
    /// written (none when that names no level the sink knows, such as <c>NONE</c>).
    /// </summary>
    void WriteRisk(Utf8JsonWriter json, LogEvent logEvent)
    {
        var fromLevel = EventFields.RiskLevelOf(logEvent.Level);
        var severity = fromLevel;
        if (!TryWriteGiven(json, EventFields.FindingSeverity))
            WriteEncoded(json, EventFields.FindingSeverity, EventFields.RiskLevelName(severity));
        else if (!EventFields.TryParseRisk(GivenText(EventFields.FindingSeverity), out severity))
            severity = fromLevel;

        var risk = severity;
        if (!TryWriteGiven(json, EventFields.RiskLevel))
            WriteEncoded(json, EventFields.RiskLevel, EventFields.RiskLevelName(risk));
        else
            EventFields.TryParseRisk(GivenText(EventFields.RiskLevel), out risk);

        if (!TryWriteGiven(json, EventFields.RiskScore) && risk >= 0)
        {
            json.WritePropertyName(EventFields.Key(EventFields.RiskScore));
            json.WriteRawValue(EventFields.RiskScoreOf(risk), skipInputValidation: true);
            _keys.AddField(EventFields.RiskScore);
        }
    }

    void WriteTitle(Utf8JsonWriter json, ReadOnlySpan<char> message)
    {
        var key = EventFields.Key(EventFields.FindingTitle);
        if (message.Length <= TitleLength)
        {
            _values.WriteText(json, key, message);
        }
        else
        {
            Span<char> title = stackalloc char[TitleLength];
            var cut = ValueWriter.CutIndex(message, TitleLength - 1);
            message.Slice(0, cut).CopyTo(title);
            title[cut] = ValueWriter.Ellipsis[0];
            _values.WriteText(json, key, title.Slice(0, cut + 1));
        }

        _keys.AddField(EventFields.FindingTitle);
    }

    /// <summary>
    /// Writes what the event or an attribute gives for <paramref name="source"/> (by default the field itself) under
    /// <paramref name="field"/>'s name; false when neither gives it.
    /// </summary>
    bool TryWriteGiven(Utf8JsonWriter json, int field, int source = -1)
    {
        if (source < 0 || IsGiven(field))
            source = field;
        if (!IsGiven(source))
            return false;

        if (_givenProperties[source] is { } value)
        {
            _flattener.WriteProperty(json, _keys, EventFields.Name(field), value);
        }
        else
        {
            var attribute = _givenAttributes[source]!;
            json.WritePropertyName(EventFields.Key(field));
            if (attribute.Redacted)
                json.WriteStringValue(RedactionPolicy.Mask);
            else
                _values.WriteScalar(json, attribute.Value);
        }

        // Taken even when a structure was flattened under the name: the sink's own value would be a second writer.
        _keys.AddField(field);
        return true;
    }

    bool IsGiven(int field) => ((_propertyMask | _attributeMask) & (1 << field)) != 0;

    /// <summary>The text given for <paramref name="field"/>: a string property, or an attribute's value; else null.</summary>
    string? GivenText(int field) =>
        _givenProperties[field] is ScalarValue { Value: string text } ? text
        : _givenProperties[field] == null ? _givenAttributes[field]?.Value as string
        : null;

    void WriteGivenOrText(Utf8JsonWriter json, int field, string? value)
    {
        if (!TryWriteGiven(json, field))
            WriteText(json, field, value);
    }

    void WriteText(Utf8JsonWriter json, int field, string? value)
    {
        if (value == null)
            return; // nothing written: a flattened property may still use the key
        _values.WriteText(json, EventFields.Key(field), value);
        _keys.AddField(field);
    }

    void WriteEncoded(Utf8JsonWriter json, int field, JsonEncodedText value)
    {
        json.WriteString(EventFields.Key(field), value);
        _keys.AddField(field);
    }

    void WriteTimestamp(Utf8JsonWriter json, int field, LogEvent logEvent)
    {
        json.WriteString(EventFields.Key(field), logEvent.Timestamp.UtcDateTime);
        _keys.AddField(field);
    }

    void WriteId(Utf8JsonWriter json, int field, Guid id)
    {
        Span<byte> text = stackalloc byte[32];
        Utf8Formatter.TryFormat(id, text, out var written, 'N');
        json.WriteString(EventFields.Key(field), text.Slice(0, written));
        _keys.AddField(field);
    }

    /// <summary>An id as lowercase hex digits (what <c>ToHexString()</c> gives), without making a string of it.</summary>
    void WriteHex(Utf8JsonWriter json, int field, ReadOnlySpan<byte> id)
    {
        const string Digits = "0123456789abcdef";
        Span<char> hex = stackalloc char[id.Length * 2];
        for (var i = 0; i < id.Length; i++)
        {
            hex[2 * i] = Digits[id[i] >> 4];
            hex[2 * i + 1] = Digits[id[i] & 0xF];
        }

        _values.WriteText(json, EventFields.Key(field), hex);
        _keys.AddField(field);
    }

    /// <summary>
    /// The event's <c>EventId.Name</c> (as Serilog.Extensions.Logging records Microsoft.Extensions.Logging event ids),
    /// else its message template, so that events from one call site share a type; else the event type.
    /// </summary>
    static string FindingTypeOf(LogEvent logEvent, string eventType)
    {
        if (logEvent.Properties.TryGetValue("EventId", out var value) && value is StructureValue eventId)
        {
            var members = eventId.Properties;
            for (var i = 0; i < members.Count; i++)
            {
                if (members[i] is { Name: "Name", Value: ScalarValue { Value: string name } } && !string.IsNullOrWhiteSpace(name))
                    return name;
            }
        }

        var template = logEvent.MessageTemplate.Text;
        return string.IsNullOrWhiteSpace(template) ? eventType : template;
    }

    // Exception members are user code and may throw; the event is still worth sending.
    static string Describe(Exception exception, Func<Exception, string?> read)
    {
        try
        {
            return read(exception) ?? string.Empty;
        }
        catch (Exception failure)
        {
            return "<" + failure.GetType().Name + " thrown while reading " + exception.GetType().Name + ">";
        }
    }
}
