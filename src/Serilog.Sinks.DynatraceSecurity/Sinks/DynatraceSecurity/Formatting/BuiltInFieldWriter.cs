using System;
using System.Buffers.Text;
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
        if (!TryWriteGiven(json, given, EventFields.TimestampIndex))
            WriteTimestamp(json, EventFields.TimestampIndex, logEvent);

        if (!TryWriteGiven(json, given, EventFields.EventKindIndex))
        {
            json.WriteString(EventFields.Key(EventFields.EventKindIndex), EventFields.SecurityEventKindValue);
            _keys.AddField(EventFields.EventKindIndex);
        }

        _marker.TryGetEventType(logEvent, out var eventType);
        if (!TryWriteGiven(json, given, EventFields.EventTypeIndex))
            WriteText(json, EventFields.EventTypeIndex, eventType);

        if (!TryWriteGiven(json, given, EventFields.EventIdIndex))
            WriteId(json, EventFields.EventIdIndex, eventId);

        // Rendered once, for the description and the title.
        var message = ReadOnlySpan<char>.Empty;
        var rendered = false;
        if (!TryWriteGiven(json, given, EventFields.EventDescriptionIndex))
        {
            message = _messageRenderer.Render(logEvent);
            rendered = true;
            _text.Write(json, EventFields.Key(EventFields.EventDescriptionIndex), message);
            _keys.AddField(EventFields.EventDescriptionIndex);
        }

        WriteGivenOrText(json, given, EventFields.EventProviderIndex, _applicationName);
        WriteGivenOrText(json, given, EventFields.ProductNameIndex, _productName);
        WriteGivenOrText(json, given, EventFields.ProductVendorIndex, _productVendor);

        // Each log event is one finding: its id and time are the event's own, as written.
        if (!TryWriteGiven(json, given, EventFields.FindingIdIndex, EventFields.EventIdIndex))
            WriteId(json, EventFields.FindingIdIndex, eventId);

        if (!TryWriteGiven(json, given, EventFields.FindingTypeIndex))
            WriteText(json, EventFields.FindingTypeIndex, DerivedText.FindingTypeOf(logEvent, eventType));

        if (!TryWriteGiven(json, given, EventFields.FindingTitleIndex))
            WriteTitle(json, rendered ? message : _messageRenderer.Render(logEvent));

        if (!TryWriteGiven(json, given, EventFields.FindingTimeCreatedIndex, EventFields.TimestampIndex))
            WriteTimestamp(json, EventFields.FindingTimeCreatedIndex, logEvent);

        WriteRisk(json, logEvent, given);

        if (!TryWriteGiven(json, given, EventFields.ObjectTypeIndex))
        {
            json.WriteString(EventFields.Key(EventFields.ObjectTypeIndex), EventFields.ProcessObjectTypeValue);
            _keys.AddField(EventFields.ObjectTypeIndex);
        }

        WriteGivenOrText(json, given, EventFields.ObjectIdIndex, _applicationName);

        var exception = logEvent.Exception;
        if (!TryWriteGiven(json, given, EventFields.ExceptionTypeIndex) && exception != null)
            WriteText(json, EventFields.ExceptionTypeIndex, exception.GetType().FullName);
        if (!TryWriteGiven(json, given, EventFields.ExceptionMessageIndex) && exception != null)
            WriteText(json, EventFields.ExceptionMessageIndex, DerivedText.Describe(exception, static e => e.Message));
        if (!TryWriteGiven(json, given, EventFields.ExceptionStackTraceIndex) && exception != null)
            WriteText(json, EventFields.ExceptionStackTraceIndex, DerivedText.Describe(exception, static e => e.ToString()));

        if (!TryWriteGiven(json, given, EventFields.TraceIdIndex) && logEvent.TraceId is { } traceId)
        {
            Span<byte> id = stackalloc byte[16];
            traceId.CopyTo(id);
            WriteHex(json, EventFields.TraceIdIndex, id);
        }

        if (!TryWriteGiven(json, given, EventFields.SpanIdIndex) && logEvent.SpanId is { } spanId)
        {
            Span<byte> id = stackalloc byte[8];
            spanId.CopyTo(id);
            WriteHex(json, EventFields.SpanIdIndex, id);
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
        if (TryWriteGiven(json, given, EventFields.FindingSeverityIndex))
        {
            if (!RiskLevels.TryParse(given.Text(EventFields.FindingSeverityIndex), out severity))
                severity = fromLevel;
        }
        else
        {
            json.WriteString(EventFields.Key(EventFields.FindingSeverityIndex), RiskLevels.Name(severity));
            _keys.AddField(EventFields.FindingSeverityIndex);
        }

        var risk = severity;
        if (TryWriteGiven(json, given, EventFields.RiskLevelIndex))
        {
            RiskLevels.TryParse(given.Text(EventFields.RiskLevelIndex), out risk);
        }
        else
        {
            json.WriteString(EventFields.Key(EventFields.RiskLevelIndex), RiskLevels.Name(risk));
            _keys.AddField(EventFields.RiskLevelIndex);
        }

        if (!TryWriteGiven(json, given, EventFields.RiskScoreIndex) && risk >= 0)
        {
            json.WritePropertyName(EventFields.Key(EventFields.RiskScoreIndex));
            json.WriteRawValue(RiskLevels.Score(risk), skipInputValidation: true);
            _keys.AddField(EventFields.RiskScoreIndex);
        }
    }

    void WriteTitle(Utf8JsonWriter json, ReadOnlySpan<char> message)
    {
        var key = EventFields.Key(EventFields.FindingTitleIndex);
        if (message.Length <= TitleLength)
        {
            _text.Write(json, key, message);
        }
        else
        {
            Span<char> title = stackalloc char[TitleLength];
            var cut = TextValueWriter.CutIndex(message, TitleLength - 1);
            message.Slice(0, cut).CopyTo(title);
            title[cut] = TextValueWriter.Ellipsis[0];
            _text.Write(json, key, title.Slice(0, cut + 1));
        }

        _keys.AddField(EventFields.FindingTitleIndex);
    }

    /// <summary>
    /// Writes what the event or an attribute gives for <paramref name="source"/> (by default the field itself) under
    /// <paramref name="field"/>'s name; false when neither gives it.
    /// </summary>
    bool TryWriteGiven(Utf8JsonWriter json, GivenFields given, int field, int source = -1)
    {
        if (source < 0 || given.Has(field))
            source = field;
        if (!given.Has(source))
            return false;

        if (given.Property(source) is { } value)
        {
            _flattener.WriteProperty(json, _keys, EventFields.Name(field), value);
        }
        else
        {
            var attribute = given.Attribute(source)!;
            json.WritePropertyName(EventFields.Key(field));
            if (attribute.Redacted)
                json.WriteStringValue(RedactionPolicy.Mask);
            else
                ScalarWriter.Write(json, attribute.Value, _text);
        }

        // Taken even when a structure was flattened under the name: the sink's own value would be a second writer.
        _keys.AddField(field);
        return true;
    }

    void WriteGivenOrText(Utf8JsonWriter json, GivenFields given, int field, string? value)
    {
        if (!TryWriteGiven(json, given, field))
            WriteText(json, field, value);
    }

    void WriteText(Utf8JsonWriter json, int field, string? value)
    {
        if (value == null)
            return; // nothing written: a flattened property may still use the key
        _text.Write(json, EventFields.Key(field), value);
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

        _text.Write(json, EventFields.Key(field), hex);
        _keys.AddField(field);
    }
}
