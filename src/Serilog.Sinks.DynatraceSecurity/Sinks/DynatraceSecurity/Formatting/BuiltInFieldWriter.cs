using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Filtering;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes the built-in fields, in <see cref="EventFields"/> order, each once: what the event or an attribute gives
/// (<see cref="GivenFields"/>), else the sink's own value, if it has one. The one place that decides what each field
/// holds; the defaults make every event complete for Dynatrace's security apps (see the README's event table).
/// Not thread-safe: it shares the formatter's buffers.
/// </summary>
internal sealed class BuiltInFieldWriter
{
    /// <summary>The longest <c>finding.title</c> the sink makes from a message, in characters (with the ellipsis).</summary>
    public const int TitleLength = 256;

    readonly SecurityMarker _marker;
    readonly PropertyFlattener _flattener;
    readonly TextValueWriter _text;
    readonly MessageRenderer _messageRenderer;
    readonly string _applicationName;
    readonly string? _productName;
    readonly string? _productVendor;
    HashSet<string> _keys = new();

    public BuiltInFieldWriter(
        SecurityMarker marker, PropertyFlattener flattener, TextValueWriter text, MessageRenderer messageRenderer,
        string applicationName, string? productName, string? productVendor)
    {
        _marker = marker;
        _flattener = flattener;
        _text = text;
        _messageRenderer = messageRenderer;
        _applicationName = applicationName;
        _productName = productName;
        _productVendor = productVendor;
    }

    /// <summary>Writes the fields of <paramref name="logEvent"/>, adding each name written to <paramref name="keys"/>.</summary>
    public void Write(Utf8JsonWriter json, LogEvent logEvent, Guid eventId, GivenFields given, HashSet<string> keys)
    {
        _keys = keys;
        if (!TryWriteGiven(json, given, EventFields.Timestamp))
            WriteTimestamp(json, EventFields.Timestamp, logEvent);

        if (!TryWriteGiven(json, given, EventFields.EventKind))
            WriteEncoded(json, EventFields.EventKind, EventFields.SecurityEventKindValue);

        _marker.TryGetEventType(logEvent, out var eventType);
        if (!TryWriteGiven(json, given, EventFields.EventType))
            WriteText(json, EventFields.EventType, eventType);

        if (!TryWriteGiven(json, given, EventFields.EventId))
            WriteId(json, EventFields.EventId, eventId);

        // Rendered once, for the description and the title.
        string? message = null;
        if (!TryWriteGiven(json, given, EventFields.EventDescription))
        {
            message = _messageRenderer.Render(logEvent);
            _text.Write(json, EventFields.EventDescription.Key, message.AsSpan());
            _keys.Add(EventFields.EventDescription.Name);
        }

        WriteGivenOrText(json, given, EventFields.EventProvider, _applicationName);
        WriteGivenOrText(json, given, EventFields.ProductName, _productName);
        WriteGivenOrText(json, given, EventFields.ProductVendor, _productVendor);

        // Each log event is one finding: its id and time are the event's own, as written.
        if (!TryWriteGiven(json, given, EventFields.FindingId, EventFields.EventId))
            WriteId(json, EventFields.FindingId, eventId);

        if (!TryWriteGiven(json, given, EventFields.FindingType))
            WriteText(json, EventFields.FindingType, FindingTypeOf(logEvent, eventType));

        if (!TryWriteGiven(json, given, EventFields.FindingTitle))
            WriteTitle(json, message ?? _messageRenderer.Render(logEvent));

        if (!TryWriteGiven(json, given, EventFields.FindingTimeCreated, EventFields.Timestamp))
            WriteTimestamp(json, EventFields.FindingTimeCreated, logEvent);

        WriteRisk(json, logEvent, given);

        if (!TryWriteGiven(json, given, EventFields.ObjectType))
            WriteEncoded(json, EventFields.ObjectType, EventFields.ProcessObjectTypeValue);

        WriteGivenOrText(json, given, EventFields.ObjectId, _applicationName);

        var exception = logEvent.Exception;
        if (!TryWriteGiven(json, given, EventFields.ExceptionType) && exception != null)
            WriteText(json, EventFields.ExceptionType, exception.GetType().FullName);
        if (!TryWriteGiven(json, given, EventFields.ExceptionMessage) && exception != null)
            WriteText(json, EventFields.ExceptionMessage, Describe(exception, static e => e.Message));
        if (!TryWriteGiven(json, given, EventFields.ExceptionStackTrace) && exception != null)
            WriteText(json, EventFields.ExceptionStackTrace, Describe(exception, static e => e.ToString()));

        if (!TryWriteGiven(json, given, EventFields.TraceId) && logEvent.TraceId is { } traceId)
            WriteText(json, EventFields.TraceId, traceId.ToHexString());

        if (!TryWriteGiven(json, given, EventFields.SpanId) && logEvent.SpanId is { } spanId)
            WriteText(json, EventFields.SpanId, spanId.ToHexString());
    }

    /// <summary>
    /// <c>finding.severity</c> from the level; <c>dt.security.risk.level</c> from <c>finding.severity</c> as written when
    /// that names one of the four levels, else from the level; <c>dt.security.risk.score</c> for the risk level as
    /// written (none when that names no level the sink knows, such as <c>NONE</c>).
    /// </summary>
    void WriteRisk(Utf8JsonWriter json, LogEvent logEvent, GivenFields given)
    {
        var fromLevel = RiskLevels.FromLevel(logEvent.Level);

        var severity = fromLevel;
        if (TryWriteGiven(json, given, EventFields.FindingSeverity))
        {
            if (!RiskLevels.TryParse(given.Text(EventFields.FindingSeverity), out severity))
                severity = fromLevel;
        }
        else
        {
            WriteEncoded(json, EventFields.FindingSeverity, RiskLevels.Name(severity));
        }

        var risk = severity;
        if (TryWriteGiven(json, given, EventFields.RiskLevel))
            RiskLevels.TryParse(given.Text(EventFields.RiskLevel), out risk);
        else
            WriteEncoded(json, EventFields.RiskLevel, RiskLevels.Name(risk));

        if (!TryWriteGiven(json, given, EventFields.RiskScore) && risk >= 0)
        {
            json.WritePropertyName(EventFields.RiskScore.Key);
            json.WriteRawValue(RiskLevels.Score(risk), skipInputValidation: true);
            _keys.Add(EventFields.RiskScore.Name);
        }
    }

    void WriteTitle(Utf8JsonWriter json, string message)
    {
        var title = message.AsSpan();
        if (title.Length > TitleLength)
            title = (message.Substring(0, SafeText.CutIndex(title, TitleLength - 1)) + TextValueWriter.Ellipsis).AsSpan();
        _text.Write(json, EventFields.FindingTitle.Key, title);
        _keys.Add(EventFields.FindingTitle.Name);
    }

    /// <summary>
    /// Writes what the event or an attribute gives for <paramref name="source"/> (by default the field itself) under
    /// <paramref name="field"/>'s name; false when neither gives it.
    /// </summary>
    bool TryWriteGiven(Utf8JsonWriter json, GivenFields given, Field field, Field? source = null)
    {
        if (source == null || given.Has(field))
            source = field;
        if (!given.Has(source))
            return false;

        if (given.Property(source) is { } value)
        {
            _flattener.WriteProperty(json, _keys, field.Name, value);
        }
        else
        {
            var attribute = given.Attribute(source)!;
            json.WritePropertyName(field.Key);
            if (attribute.Redacted)
                json.WriteStringValue(RedactionPolicy.Mask);
            else
                ScalarWriter.Write(json, attribute.Value, _text);
        }

        // Taken even when a structure was flattened under the name: the sink's own value would be a second writer.
        _keys.Add(field.Name);
        return true;
    }

    void WriteGivenOrText(Utf8JsonWriter json, GivenFields given, Field field, string? value)
    {
        if (!TryWriteGiven(json, given, field))
            WriteText(json, field, value);
    }

    void WriteText(Utf8JsonWriter json, Field field, string? value)
    {
        if (value == null)
            return; // nothing written: a flattened property may still use the key
        _text.Write(json, field.Key, value);
        _keys.Add(field.Name);
    }

    void WriteEncoded(Utf8JsonWriter json, Field field, JsonEncodedText value)
    {
        json.WriteString(field.Key, value);
        _keys.Add(field.Name);
    }

    void WriteTimestamp(Utf8JsonWriter json, Field field, LogEvent logEvent)
    {
        json.WriteString(field.Key, logEvent.Timestamp.UtcDateTime);
        _keys.Add(field.Name);
    }

    void WriteId(Utf8JsonWriter json, Field field, Guid id)
    {
        Span<byte> text = stackalloc byte[32];
        Utf8Formatter.TryFormat(id, text, out var written, 'N');
        json.WriteString(field.Key, text.Slice(0, written));
        _keys.Add(field.Name);
    }

    /// <summary>
    /// The event's <c>EventId.Name</c> (as Serilog.Extensions.Logging records Microsoft.Extensions.Logging event ids),
    /// else its message template, so that events from one call site share a type; else the event type.
    /// </summary>
    static string FindingTypeOf(LogEvent logEvent, string eventType)
    {
        if (logEvent.Properties.TryGetValue("EventId", out var value) && value is StructureValue eventId)
        {
            foreach (var member in eventId.Properties)
            {
                if (member is { Name: "Name", Value: ScalarValue { Value: string name } } && !string.IsNullOrWhiteSpace(name))
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
