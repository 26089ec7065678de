using System;
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
/// Field order and precedence: the built-in fields come first (<see cref="BuiltInFieldWriter"/>); for each, a property
/// of the event written under exactly that name wins, then a static attribute, then an attribute from Dynatrace's
/// enrichment files, then the sink's own value. Then the event's properties, flattened, then the static attributes,
/// then the enrichment attributes. A key is written once: the first writer wins. A key under a namespace OpenPipeline
/// reserves is written with a prefix (<see cref="ReservedNamespaces"/>).
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

    readonly SinkSettings _settings;
    readonly SecurityMarker _marker;
    readonly ReservedNamespaces _reserved;
    readonly EventAttribute[] _staticAttributes;
    readonly EventAttribute[] _enrichment;
    readonly TextValueWriter _text = new();

    // Built per formatter (they keep per-event state); the attributes above are made once per sink and shared.
    KeySet _writtenKeys = null!;
    PropertyFlattener _flattener = null!;
    GivenFields _given = null!;
    BuiltInFieldWriter _fields = null!;

    public SecurityEventFormatter(SinkSettings settings, SecurityMarker marker)
    {
        _settings = settings;
        _marker = marker;
        _reserved = new ReservedNamespaces();
        var redaction = new RedactionPolicy(settings.RedactedProperties);
        _staticAttributes = new EventAttribute[settings.StaticAttributes.Count];
        for (var i = 0; i < _staticAttributes.Length; i++)
        {
            var attribute = settings.StaticAttributes[i];
            _staticAttributes[i] = new EventAttribute(attribute.Key, _reserved.WrittenName(attribute.Key), attribute.Value ?? string.Empty,
                redaction.IsRedacted(attribute.Key));
        }

        // Read once, here, when the sink starts (see EnrichmentFiles).
        var enrichment = EnrichmentFiles.Read(settings.EnrichmentDirectory);
        _enrichment = new EventAttribute[enrichment.Count];
        for (var i = 0; i < _enrichment.Length; i++)
        {
            var key = enrichment[i].Key;
            _enrichment[i] = new EventAttribute(key, _reserved.WrittenName(key), enrichment[i].Value, redaction.IsRedacted(key));
        }

        BuildWriters(redaction);
    }

    SecurityEventFormatter(SecurityEventFormatter source)
    {
        _settings = source._settings;
        _marker = source._marker;
        _reserved = source._reserved;
        _staticAttributes = source._staticAttributes;
        _enrichment = source._enrichment;
        BuildWriters(new RedactionPolicy(_settings.RedactedProperties));
    }

    /// <summary>
    /// A formatter that writes exactly as this one, for another thread (the undelivered-events file's writer): it shares
    /// what was made once per sink (attributes, enrichment) and has state of its own.
    /// </summary>
    public SecurityEventFormatter Copy() => new(this);

    void BuildWriters(RedactionPolicy redaction)
    {
        _flattener = new PropertyFlattener(redaction, _text, _reserved);
        _writtenKeys = _flattener.TopLevelKeys;
        var attributes = new EventAttribute[_staticAttributes.Length + _enrichment.Length];
        _staticAttributes.CopyTo(attributes, 0);
        _enrichment.CopyTo(attributes, _staticAttributes.Length);
        _given = new GivenFields(attributes);
        _fields = new BuiltInFieldWriter(_marker, _flattener, _text, new MessageRenderer(redaction), _settings.EventProvider,
            _settings.ProductName, _settings.ProductVendor);
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
        FindGivenFields(logEvent, properties);
        _fields.Write(json, logEvent, eventId, _given);

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

        WriteAttributes(json, _staticAttributes);
        WriteAttributes(json, _enrichment);

        if (_text.Truncated && _writtenKeys.AddField(EventFields.Truncated.Index))
            json.WriteBoolean(EventFields.Truncated.Key, true);

        json.WriteEndObject();
        return _text.Longest;
    }

    /// <summary>Notes the event's properties written under a built-in field's name (as themselves or renamed).</summary>
    void FindGivenFields(LogEvent logEvent, Dictionary<string, LogEventPropertyValue>? properties)
    {
        _given.Clear();
        if (properties != null)
        {
            foreach (var property in properties)
            {
                if (!_marker.IsMarkerProperty(property.Key))
                    _given.Consider(OutputName(property.Key), property.Value);
            }
        }
        else
        {
            foreach (var property in logEvent.Properties)
            {
                if (!_marker.IsMarkerProperty(property.Key))
                    _given.Consider(OutputName(property.Key), property.Value);
            }
        }
    }

    void WriteEventProperty(Utf8JsonWriter json, string propertyName, LogEventPropertyValue value)
    {
        if (_marker.IsMarkerProperty(propertyName))
            return;
        _flattener.WriteEventProperty(json, _writtenKeys, OutputName(propertyName), value);
    }

    void WriteAttributes(Utf8JsonWriter json, EventAttribute[] attributes)
    {
        for (var i = 0; i < attributes.Length; i++)
        {
            var attribute = attributes[i];
            if (!_writtenKeys.Add(attribute.WrittenName))
                continue;
            json.WritePropertyName(attribute.JsonName);
            if (attribute.Redacted)
                json.WriteStringValue(RedactionPolicy.Mask);
            else
                ScalarWriter.Write(json, attribute.Value, _text);
        }
    }

    /// <summary>The name a property is written under: its <c>propertyNames</c> rename, or its own name.</summary>
    string OutputName(string propertyName) =>
        _settings.PropertyNames.Count != 0 && _settings.PropertyNames.TryGetValue(propertyName, out var renamed) ? renamed : propertyName;
}
