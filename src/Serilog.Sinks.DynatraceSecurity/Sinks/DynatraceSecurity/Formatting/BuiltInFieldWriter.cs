using System;
using System.Buffers.Text;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Filtering;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes the built-in fields, in <see cref="EventFields"/> order, each once: what the event or an attribute gives
/// (<see cref="GivenFields"/>), else the sink's own value, if it has one. The one place that decides what each field
/// holds; the defaults make every event complete for Dynatrace's security apps (see docs/events.md's field table).
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
    readonly KeySet _keys;
    readonly string _applicationName;
    readonly string? _productName;
    readonly string? _productVendor;

    public BuiltInFieldWriter(
        SecurityMarker marker, PropertyFlattener flattener, TextValueWriter text, MessageRenderer messageRenderer,
        string applicationName, string? productName, string? productVendor)
    {
        _marker = marker;
        _flattener = flattener;
        _text = text;
        _messageRenderer = messageRenderer;
        _keys = flattener.TopLevelKeys;
        _applicationName = applicationName;
        _productName = productName;
        _productVendor = productVendor;
    }

    public void Write(Utf8JsonWriter json, LogEvent logEvent, Guid eventId, GivenFields given)
    {
        if (!TryWriteGiven(json, given, EventFields.Timestamp))
            WriteTimestamp(json, EventFields.Timestamp, logEvent);

        if (!TryWriteGiven(json, given, EventFields.EventKind))
        {
            json.WriteString(EventFields.EventKind.Key, EventFields.SecurityEventKindValue);
            _keys.AddField(EventFields.EventKind.Index);
        }

        _marker.TryGetEventType(logEvent, out var eventType);
        if (!TryWriteGiven(json, given, EventFields.EventType))
            WriteText(json, EventFields.EventType, eventType);

        if (!TryWriteGiven(json, given, EventFields.EventId))
            WriteId(json, EventFields.EventId, eventId);

        // Rendered once, for the description and the title.
        var message = ReadOnlySpan<char>.Empty;
        var rendered = false;
        if (!TryWriteGiven(json, given, EventFields.EventDescription))
        {
            message = _messageRenderer.Render(logEvent);
            rendered = true;
            _text.Write(json, EventFields.EventDescription.Key, message);
            _keys.AddField(EventFields.EventDescription.Index);
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
            WriteTitle(json, rendered ? message : _messageRenderer.Render(logEvent));

        if (!TryWriteGiven(json, given, EventFields.FindingTimeCreated, EventFields.Timestamp))
            WriteTimestamp(json, EventFields.FindingTimeCreated, logEvent);

        WriteRisk(json, logEvent, given);

        if (!TryWriteGiven(json, given, EventFields.ObjectType))
        {
            json.WriteString(EventFields.ObjectType.Key, EventFields.ProcessObjectTypeValue);
            _keys.AddField(EventFields.ObjectType.Index);
        }

        WriteGivenOrText(json, given, EventFields.ObjectId, _applicationName);

        var exception = logEvent.Exception;
        if (!TryWriteGiven(json, given, EventFields.ExceptionType) && exception != null)
            WriteText(json, EventFields.ExceptionType, exception.GetType().FullName);
        if (!TryWriteGiven(json, given, EventFields.ExceptionMessage) && exception != null)
            WriteText(json, EventFields.ExceptionMessage, Describe(exception, static e => e.Message));
        if (!TryWriteGiven(json, given, EventFields.ExceptionStackTrace) && exception != null)
            WriteText(json, EventFields.ExceptionStackTrace, Describe(exception, static e => e.ToString()));

        if (!TryWriteGiven(json, given, EventFields.TraceId) && logEvent.TraceId is { } traceId)
        {
            Span<byte> id = stackalloc byte[16];
            traceId.CopyTo(id);
            WriteHex(json, EventFields.TraceId, id);
        }

        if (!TryWriteGiven(json, given, EventFields.SpanId) && logEvent.SpanId is { } spanId)
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
            json.WriteString(EventFields.FindingSeverity.Key, RiskLevels.Name(severity));
            _keys.AddField(EventFields.FindingSeverity.Index);
        }

        var risk = severity;
        if (TryWriteGiven(json, given, EventFields.RiskLevel))
        {
            RiskLevels.TryParse(given.Text(EventFields.RiskLevel), out risk);
        }
        else
        {
            json.WriteString(EventFields.RiskLevel.Key, RiskLevels.Name(risk));
            _keys.AddField(EventFields.RiskLevel.Index);
        }

        if (!TryWriteGiven(json, given, EventFields.RiskScore) && risk >= 0)
        {
            json.WritePropertyName(EventFields.RiskScore.Key);
            json.WriteRawValue(RiskLevels.Score(risk), skipInputValidation: true);
            _keys.AddField(EventFields.RiskScore.Index);
        }
    }

    void WriteTitle(Utf8JsonWriter json, ReadOnlySpan<char> message)
    {
        var key = EventFields.FindingTitle.Key;
        if (message.Length <= TitleLength)
        {
            _text.Write(json, key, message);
        }
        else
        {
            Span<char> title = stackalloc char[TitleLength];
            var cut = SafeText.CutIndex(message, TitleLength - 1);
            message.Slice(0, cut).CopyTo(title);
            title[cut] = TextValueWriter.Ellipsis[0];
            _text.Write(json, key, title.Slice(0, cut + 1));
        }

        _keys.AddField(EventFields.FindingTitle.Index);
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
        _keys.AddField(field.Index);
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
        _keys.AddField(field.Index);
    }

    void WriteTimestamp(Utf8JsonWriter json, Field field, LogEvent logEvent)
    {
        json.WriteString(field.Key, logEvent.Timestamp.UtcDateTime);
        _keys.AddField(field.Index);
    }

    void WriteId(Utf8JsonWriter json, Field field, Guid id)
    {
        Span<byte> text = stackalloc byte[32];
        Utf8Formatter.TryFormat(id, text, out var written, 'N');
        json.WriteString(field.Key, text.Slice(0, written));
        _keys.AddField(field.Index);
    }

    /// <summary>An id as lowercase hex digits (what <c>ToHexString()</c> gives), without making a string of it.</summary>
    void WriteHex(Utf8JsonWriter json, Field field, ReadOnlySpan<byte> id)
    {
        const string Digits = "0123456789abcdef";
        Span<char> hex = stackalloc char[id.Length * 2];
        for (var i = 0; i < id.Length; i++)
        {
            hex[2 * i] = Digits[id[i] >> 4];
            hex[2 * i + 1] = Digits[id[i] & 0xF];
        }

        _text.Write(json, field.Key, hex);
        _keys.AddField(field.Index);
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
