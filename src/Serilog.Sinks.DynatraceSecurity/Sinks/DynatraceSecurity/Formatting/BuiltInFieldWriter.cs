using System;
using System.Buffers.Text;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Filtering;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes the built-in fields, in <see cref="EventFields"/> order, each once: what the event or an attribute gives
/// (<see cref="GivenFields"/>), else the sink's own value, if it has one. The one place that decides what each field
/// holds. Not thread-safe: it shares the formatter's buffers.
/// </summary>
internal sealed class BuiltInFieldWriter
{
    readonly SecurityMarker _marker;
    readonly PropertyFlattener _flattener;
    readonly TextValueWriter _text;
    readonly MessageRenderer _messageRenderer;
    readonly KeySet _keys;
    readonly string? _eventProvider;
    readonly string? _productName;
    readonly string? _productVendor;

    public BuiltInFieldWriter(
        SecurityMarker marker, PropertyFlattener flattener, TextValueWriter text, MessageRenderer messageRenderer,
        string? eventProvider, string? productName, string? productVendor)
    {
        _marker = marker;
        _flattener = flattener;
        _text = text;
        _messageRenderer = messageRenderer;
        _keys = flattener.TopLevelKeys;
        _eventProvider = eventProvider;
        _productName = productName;
        _productVendor = productVendor;
    }

    public void Write(Utf8JsonWriter json, LogEvent logEvent, Guid eventId, GivenFields given)
    {
        if (!TryWriteGiven(json, given, EventFields.TimestampIndex))
        {
            json.WriteString(EventFields.Key(EventFields.TimestampIndex), logEvent.Timestamp.UtcDateTime);
            _keys.AddField(EventFields.TimestampIndex);
        }

        if (!TryWriteGiven(json, given, EventFields.EventKindIndex))
        {
            json.WriteString(EventFields.Key(EventFields.EventKindIndex), EventFields.SecurityEventKindValue);
            _keys.AddField(EventFields.EventKindIndex);
        }

        if (!TryWriteGiven(json, given, EventFields.EventTypeIndex))
        {
            _marker.TryGetEventType(logEvent, out var eventType);
            WriteText(json, EventFields.EventTypeIndex, eventType);
        }

        if (!TryWriteGiven(json, given, EventFields.EventIdIndex))
            WriteId(json, EventFields.EventIdIndex, eventId);

        if (!TryWriteGiven(json, given, EventFields.EventDescriptionIndex))
        {
            _messageRenderer.WriteRendered(json, EventFields.Key(EventFields.EventDescriptionIndex), logEvent);
            _keys.AddField(EventFields.EventDescriptionIndex);
        }

        WriteGivenOrText(json, given, EventFields.EventProviderIndex, _eventProvider);
        WriteGivenOrText(json, given, EventFields.ProductNameIndex, _productName);
        WriteGivenOrText(json, given, EventFields.ProductVendorIndex, _productVendor);

        if (!TryWriteGiven(json, given, EventFields.FindingSeverityIndex))
        {
            json.WriteString(EventFields.Key(EventFields.FindingSeverityIndex), SeverityMapping.EncodedFromLevel(logEvent.Level));
            _keys.AddField(EventFields.FindingSeverityIndex);
        }

        var exception = logEvent.Exception;
        if (!TryWriteGiven(json, given, EventFields.ExceptionTypeIndex) && exception != null)
            WriteText(json, EventFields.ExceptionTypeIndex, exception.GetType().FullName);
        if (!TryWriteGiven(json, given, EventFields.ExceptionMessageIndex) && exception != null)
            WriteText(json, EventFields.ExceptionMessageIndex, Describe(exception, static e => e.Message));
        if (!TryWriteGiven(json, given, EventFields.ExceptionStackTraceIndex) && exception != null)
            WriteText(json, EventFields.ExceptionStackTraceIndex, Describe(exception, static e => e.ToString()));

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

    /// <summary>Writes what the event or an attribute gives for <paramref name="field"/>; false when neither does.</summary>
    bool TryWriteGiven(Utf8JsonWriter json, GivenFields given, int field)
    {
        if (!given.Has(field))
            return false;

        if (given.Property(field) is { } value)
        {
            _flattener.WriteProperty(json, _keys, EventFields.Name(field), value);
        }
        else
        {
            var attribute = given.Attribute(field)!;
            json.WritePropertyName(EventFields.Key(field));
            if (attribute.Redacted)
                json.WriteStringValue(RedactionPolicy.Mask);
            else
                _text.WriteValue(json, attribute.Value);
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
