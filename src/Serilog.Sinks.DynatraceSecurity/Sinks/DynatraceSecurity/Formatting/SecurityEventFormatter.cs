using System;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Text.Encodings.Web;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes one log event as one flattened Dynatrace security-event object.
/// </summary>
/// <remarks>
/// Field order and precedence: the built-in fields come first (<c>timestamp</c>, <c>event.*</c>, <c>product.*</c>,
/// <c>finding.severity</c>, <c>exception.*</c>, <c>trace.id</c>, <c>span.id</c>); for each, a property of the event
/// with exactly that name wins, then a static attribute, then the sink's own value. Then the event's properties,
/// flattened, then the static attributes. A key is written once: the first writer wins.
/// Not thread-safe: one instance per delivery loop, reusing its buffers.
/// </remarks>
internal sealed class SecurityEventFormatter
{
    /// <summary>
    /// The writer options every request body is written with (batched and audit): non-ASCII text as UTF-8 rather
    /// than \u escapes, since the body is never embedded in HTML; no indentation.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    readonly SecurityMarker _marker;
    readonly string? _eventProvider;
    readonly string? _productName;
    readonly string? _productVendor;
    readonly StaticAttribute[] _staticAttributes;
    readonly Dictionary<string, string> _staticByName;
    readonly bool _staticAttributeIsField;
    readonly IReadOnlyDictionary<string, string> _propertyNames;
    readonly Dictionary<string, string> _renamedFrom = new(StringComparer.Ordinal);
    readonly KeySet _writtenKeys;
    readonly RedactionPolicy _redaction;
    readonly TextValueWriter _text = new();
    readonly PropertyFlattener _flattener;
    readonly MessageRenderer _messageRenderer;

    public SecurityEventFormatter(SinkSettings settings, SecurityMarker marker)
    {
        _marker = marker;
        _redaction = new RedactionPolicy(settings.RedactedProperties);
        _flattener = new PropertyFlattener(_redaction, _text);
        _writtenKeys = _flattener.TopLevelKeys;
        _messageRenderer = new MessageRenderer(_redaction, _text);
        _eventProvider = settings.EventProvider;
        _productName = settings.ProductName;
        _productVendor = settings.ProductVendor;
        _propertyNames = settings.PropertyNames;
        foreach (var rename in _propertyNames)
        {
            if (!_renamedFrom.ContainsKey(rename.Value))
                _renamedFrom.Add(rename.Value, rename.Key);
        }

        _staticByName = new Dictionary<string, string>(StringComparer.Ordinal);
        _staticAttributes = new StaticAttribute[settings.StaticAttributes.Count];
        for (var i = 0; i < _staticAttributes.Length; i++)
        {
            var attribute = settings.StaticAttributes[i];
            _staticAttributes[i] = new StaticAttribute(attribute.Key, attribute.Value, _redaction.IsRedacted(attribute.Key));
            if (!_staticByName.ContainsKey(attribute.Key))
                _staticByName.Add(attribute.Key, attribute.Value);
            _staticAttributeIsField |= EventFields.IndexOf(attribute.Key) >= 0;
        }
    }

    /// <summary>
    /// Writes the event. Text values longer than <paramref name="maximumTextLength"/> characters are cut, and then the
    /// event carries <c>serilog.truncated: true</c>.
    /// </summary>
    /// <returns>The length, in characters, of the longest text value before any cut (what a cut has to work with).</returns>
    public int Write(Utf8JsonWriter json, LogEvent logEvent, Guid eventId, int maximumTextLength = int.MaxValue)
    {
        _writtenKeys.Clear();
        _text.Reset(maximumTextLength);
        _flattener.BeginEvent(json);
        json.WriteStartObject();

        // LogEvent.Properties is a Dictionary in every Serilog 4 release: enumerate it without boxing an enumerator.
        var properties = logEvent.Properties as Dictionary<string, LogEventPropertyValue>;
        if (_staticAttributeIsField || MayOverrideAField(logEvent, properties))
            WriteFieldsWithOverrides(json, logEvent, eventId);
        else
            WriteFields(json, logEvent, eventId);

        if (properties != null)
        {
            foreach (var property in properties)
                WriteEventProperty(json, property.Key, property.Value);
        }
        else
        {
            foreach (var property in logEvent.Properties)
                WriteEventProperty(json, property.Key, property.Value);
        }

        for (var i = 0; i < _staticAttributes.Length; i++)
        {
            var attribute = _staticAttributes[i];
            if (!_writtenKeys.Add(attribute.Key))
                continue;
            json.WritePropertyName(attribute.WrittenKey);
            if (attribute.Redacted)
                json.WriteStringValue(RedactionPolicy.Mask);
            else
                _text.WriteValue(json, attribute.Value ?? string.Empty);
        }

        if (_text.Truncated && _writtenKeys.Add(EventFields.Truncated))
            json.WriteBoolean(EventFields.TruncatedKey, true);

        json.WriteEndObject();
        return _text.Longest;
    }

    void WriteEventProperty(Utf8JsonWriter json, string propertyName, LogEventPropertyValue value)
    {
        if (propertyName == _marker.PropertyName)
            return;
        _flattener.WriteEventProperty(json, _writtenKeys, OutputName(propertyName), value);
    }

    /// <summary>
    /// Whether a property of the event is written under the name of a field the sink fills in (as itself or through
    /// a rename), so that the field has to be looked up (<see cref="WriteFieldsWithOverrides"/>). Almost never: then
    /// <see cref="WriteFields"/> writes the fields without a lookup each.
    /// </summary>
    bool MayOverrideAField(LogEvent logEvent, Dictionary<string, LogEventPropertyValue>? properties)
    {
        if (properties != null)
        {
            foreach (var property in properties)
            {
                if (IsFieldName(property.Key))
                    return true;
            }

            return false;
        }

        foreach (var property in logEvent.Properties)
        {
            if (IsFieldName(property.Key))
                return true;
        }

        return false;
    }

    bool IsFieldName(string propertyName) =>
        propertyName != _marker.PropertyName && EventFields.IndexOf(OutputName(propertyName)) >= 0;

    /// <summary>The fields when no property or static attribute overrides any of them.</summary>
    void WriteFields(Utf8JsonWriter json, LogEvent logEvent, Guid eventId)
    {
        json.WriteString(EventFields.TimestampKey, logEvent.Timestamp.UtcDateTime);
        json.WriteString(EventFields.EventKindKey, EventFields.SecurityEventKindValue);
        _marker.TryGetEventType(logEvent, out var eventType);
        _text.Write(json, EventFields.EventTypeKey, eventType);
        WriteEventId(json, eventId);
        _messageRenderer.WriteRendered(json, EventFields.EventDescriptionKey, logEvent);
        _writtenKeys.Add(EventFields.Timestamp, EventFields.TimestampIndex);
        _writtenKeys.Add(EventFields.EventKind, EventFields.EventKindIndex);
        _writtenKeys.Add(EventFields.EventType, EventFields.EventTypeIndex);
        _writtenKeys.Add(EventFields.EventId, EventFields.EventIdIndex);
        _writtenKeys.Add(EventFields.EventDescription, EventFields.EventDescriptionIndex);

        WriteField(json, EventFields.EventProvider, EventFields.EventProviderIndex, EventFields.EventProviderKey, _eventProvider);
        WriteField(json, EventFields.ProductName, EventFields.ProductNameIndex, EventFields.ProductNameKey, _productName);
        WriteField(json, EventFields.ProductVendor, EventFields.ProductVendorIndex, EventFields.ProductVendorKey, _productVendor);

        json.WriteString(EventFields.FindingSeverityKey, SeverityMapping.EncodedFromLevel(logEvent.Level));
        _writtenKeys.Add(EventFields.FindingSeverity, EventFields.FindingSeverityIndex);

        if (logEvent.Exception is { } exception)
        {
            WriteField(json, EventFields.ExceptionType, EventFields.ExceptionTypeIndex, EventFields.ExceptionTypeKey, exception.GetType().FullName);
            WriteField(json, EventFields.ExceptionMessage, EventFields.ExceptionMessageIndex, EventFields.ExceptionMessageKey, Describe(exception, static e => e.Message));
            WriteField(json, EventFields.ExceptionStackTrace, EventFields.ExceptionStackTraceIndex, EventFields.ExceptionStackTraceKey, Describe(exception, static e => e.ToString()));
        }

        if (logEvent.TraceId is { } traceId)
        {
            Span<byte> id = stackalloc byte[16];
            traceId.CopyTo(id);
            WriteHexField(json, EventFields.TraceIdKey, id);
            _writtenKeys.Add(EventFields.TraceId, EventFields.TraceIdIndex);
        }

        if (logEvent.SpanId is { } spanId)
        {
            Span<byte> id = stackalloc byte[8];
            spanId.CopyTo(id);
            WriteHexField(json, EventFields.SpanIdKey, id);
            _writtenKeys.Add(EventFields.SpanId, EventFields.SpanIdIndex);
        }
    }

    /// <summary>An id as lowercase hex digits (what <c>ToHexString()</c> gives), without making a string of it.</summary>
    void WriteHexField(Utf8JsonWriter json, JsonEncodedText encodedKey, ReadOnlySpan<byte> id)
    {
        const string Digits = "0123456789abcdef";
        Span<char> hex = stackalloc char[id.Length * 2];
        for (var i = 0; i < id.Length; i++)
        {
            hex[2 * i] = Digits[id[i] >> 4];
            hex[2 * i + 1] = Digits[id[i] & 0xF];
        }

        _text.Write(json, encodedKey, hex);
    }

    void WriteField(Utf8JsonWriter json, string key, int field, JsonEncodedText encodedKey, string? value)
    {
        if (value == null)
            return; // nothing written: a flattened property may still use the key
        _text.Write(json, encodedKey, value);
        _writtenKeys.Add(key, field);
    }

    /// <summary>
    /// The fields when a property or static attribute may take the place of one: for each field, a property written
    /// under its name wins, then a static attribute of that name, then the sink's own value.
    /// </summary>
    void WriteFieldsWithOverrides(Utf8JsonWriter json, LogEvent logEvent, Guid eventId)
    {
        if (!TryWriteOverride(json, logEvent, EventFields.Timestamp))
            json.WriteString(EventFields.TimestampKey, logEvent.Timestamp.UtcDateTime);

        if (!TryWriteOverride(json, logEvent, EventFields.EventKind))
            json.WriteString(EventFields.EventKindKey, EventFields.SecurityEventKindValue);

        if (!TryWriteOverride(json, logEvent, EventFields.EventType))
        {
            _marker.TryGetEventType(logEvent, out var eventType);
            _text.Write(json, EventFields.EventTypeKey, eventType);
        }

        if (!TryWriteOverride(json, logEvent, EventFields.EventId))
            WriteEventId(json, eventId);

        if (!TryWriteOverride(json, logEvent, EventFields.EventDescription))
            _messageRenderer.WriteRendered(json, EventFields.EventDescriptionKey, logEvent);

        WriteOptional(json, logEvent, EventFields.EventProvider, EventFields.EventProviderKey, _eventProvider);
        WriteOptional(json, logEvent, EventFields.ProductName, EventFields.ProductNameKey, _productName);
        WriteOptional(json, logEvent, EventFields.ProductVendor, EventFields.ProductVendorKey, _productVendor);

        if (!TryWriteOverride(json, logEvent, EventFields.FindingSeverity))
            json.WriteString(EventFields.FindingSeverityKey, SeverityMapping.EncodedFromLevel(logEvent.Level));

        if (logEvent.Exception is { } exception)
            WriteException(json, logEvent, exception);

        if (logEvent.TraceId is { } traceId)
            WriteOptional(json, logEvent, EventFields.TraceId, EventFields.TraceIdKey, traceId.ToHexString());
        if (logEvent.SpanId is { } spanId)
            WriteOptional(json, logEvent, EventFields.SpanId, EventFields.SpanIdKey, spanId.ToHexString());
    }

    /// <summary>The name a property is written under: its <c>propertyNames</c> rename, or its own name.</summary>
    string OutputName(string propertyName) =>
        _propertyNames.Count != 0 && _propertyNames.TryGetValue(propertyName, out var renamed) ? renamed : propertyName;

    /// <summary>The event's property that is written as <paramref name="key"/>, after renames, if there is one.</summary>
    bool TryGetPropertyWrittenAs(LogEvent logEvent, string key, out LogEventPropertyValue value)
    {
        if (_renamedFrom.TryGetValue(key, out var source) && source != _marker.PropertyName &&
            logEvent.Properties.TryGetValue(source, out value!))
            return true;

        if (key != _marker.PropertyName && OutputName(key) == key && logEvent.Properties.TryGetValue(key, out value!))
            return true;

        value = null!;
        return false;
    }

    /// <summary>Writes the event's property or static attribute named <paramref name="key"/>, if there is one.</summary>
    bool TryWriteOverride(Utf8JsonWriter json, LogEvent logEvent, string key)
    {
        if (TryGetPropertyWrittenAs(logEvent, key, out var value))
        {
            _flattener.WriteProperty(json, _writtenKeys, key, value);
            _writtenKeys.Add(key);
            return true;
        }

        if (_staticByName.TryGetValue(key, out var attribute))
        {
            json.WritePropertyName(key);
            if (_redaction.IsRedacted(key))
                json.WriteStringValue(RedactionPolicy.Mask);
            else
                _text.WriteValue(json, attribute ?? string.Empty);
            _writtenKeys.Add(key);
            return true;
        }

        // The caller writes its own value; from here on the key counts as taken.
        _writtenKeys.Add(key);
        return false;
    }

    void WriteOptional(Utf8JsonWriter json, LogEvent logEvent, string key, JsonEncodedText encodedKey, string? value)
    {
        if (TryWriteOverride(json, logEvent, key))
            return;
        if (value != null)
            _text.Write(json, encodedKey, value);
        else
            _writtenKeys.Remove(key); // nothing written: a flattened property may still use the key
    }

    void WriteException(Utf8JsonWriter json, LogEvent logEvent, Exception exception)
    {
        WriteOptional(json, logEvent, EventFields.ExceptionType, EventFields.ExceptionTypeKey, exception.GetType().FullName);
        WriteOptional(json, logEvent, EventFields.ExceptionMessage, EventFields.ExceptionMessageKey, Describe(exception, static e => e.Message));
        WriteOptional(json, logEvent, EventFields.ExceptionStackTrace, EventFields.ExceptionStackTraceKey, Describe(exception, static e => e.ToString()));
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

    /// <summary>A static attribute with what is known about it once: its key as written and whether it is redacted.</summary>
    readonly struct StaticAttribute
    {
        public StaticAttribute(string key, string value, bool redacted)
        {
            Key = key;
            WrittenKey = SafeText.Repair(key);
            Value = value;
            Redacted = redacted;
        }

        public string Key { get; }
        public string WrittenKey { get; }
        public string Value { get; }
        public bool Redacted { get; }
    }

    static void WriteEventId(Utf8JsonWriter json, Guid eventId)
    {
        Span<byte> text = stackalloc byte[32];
        Utf8Formatter.TryFormat(eventId, text, out var written, 'N');
        json.WriteString(EventFields.EventIdKey, text.Slice(0, written));
    }
}
