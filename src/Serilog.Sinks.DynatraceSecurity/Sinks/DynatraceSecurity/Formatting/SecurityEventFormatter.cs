using System;
using System.Collections.Generic;
using System.Linq;
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
    // The static attributes, then the enrichment attributes: made once per sink and shared with copies.
    readonly EventAttribute[] _attributes;
    readonly ValueWriter _values = new();
    readonly PropertyFlattener _flattener;
    readonly KeySet _writtenKeys;
    readonly BuiltInFieldWriter _fields;

    public SecurityEventFormatter(SinkSettings settings, SecurityMarker marker)
        : this(settings, marker, new ReservedNamespaces(), null)
    {
    }

    SecurityEventFormatter(SinkSettings settings, SecurityMarker marker, ReservedNamespaces reserved, EventAttribute[]? attributes)
    {
        _settings = settings;
        _marker = marker;
        _reserved = reserved;
        var redaction = new RedactionPolicy(settings.RedactedProperties);
        _attributes = attributes ?? ReadAttributes(redaction);
        _flattener = new PropertyFlattener(redaction, _values, reserved);
        _writtenKeys = _flattener.TopLevelKeys;
        _fields = new BuiltInFieldWriter(settings, marker, _flattener, _values, redaction, _attributes);
    }

    /// <summary>
    /// A formatter that writes exactly as this one, for another thread (the undelivered-events file's writer): it shares
    /// what was made once per sink (attributes, enrichment) and has state of its own.
    /// </summary>
    public SecurityEventFormatter Copy() => new(_settings, _marker, _reserved, _attributes);

    EventAttribute[] ReadAttributes(RedactionPolicy redaction)
    {
        var attributes = new List<EventAttribute>();
        foreach (var attribute in _settings.StaticAttributes)
            attributes.Add(new EventAttribute(attribute.Key, _reserved.WrittenName(attribute.Key), attribute.Value ?? string.Empty,
                redaction.IsRedacted(attribute.Key)));

        // Read once, here, when the sink starts (see EnrichmentFiles).
        foreach (var attribute in EnrichmentFiles.Read(_settings.EnrichmentDirectory))
            attributes.Add(new EventAttribute(attribute.Key, _reserved.WrittenName(attribute.Key), attribute.Value,
                redaction.IsRedacted(attribute.Key)));
        return attributes.ToArray();
    }

    /// <summary>
    /// Writes the event. Text values longer than <paramref name="maximumTextLength"/> characters are cut, and then the
    /// event carries <c>serilog.truncated: true</c>.
    /// </summary>
    /// <returns>The length, in characters, of the longest text value before any cut (what a cut has to work with).</returns>
    public int Write(Utf8JsonWriter json, LogEvent logEvent, Guid eventId, int maximumTextLength = int.MaxValue)
    {
        _writtenKeys.Clear();
        _values.Reset(maximumTextLength);
        _flattener.BeginEvent(json);
        json.WriteStartObject();

        // LogEvent.Properties is a Dictionary in every Serilog 4 release: enumerated without boxing an enumerator
        // (two boxed enumerators cost 112 B per event, docs/benchmarks.md).
        var properties = logEvent.Properties as Dictionary<string, LogEventPropertyValue> ??
                         logEvent.Properties.ToDictionary(property => property.Key, property => property.Value);
        _fields.Clear();
        foreach (var property in properties)
        {
            if (!_marker.IsMarkerProperty(property.Key))
                _fields.Give(OutputName(property.Key), property.Value);
        }

        _fields.Write(json, logEvent, eventId);

        foreach (var property in properties)
        {
            if (!_marker.IsMarkerProperty(property.Key))
                _flattener.WriteEventProperty(json, _writtenKeys, OutputName(property.Key), property.Value);
        }

        foreach (var attribute in _attributes)
        {
            if (!_writtenKeys.Add(attribute.WrittenName))
                continue;
            json.WritePropertyName(attribute.JsonName);
            if (attribute.Redacted)
                json.WriteStringValue(RedactionPolicy.Mask);
            else
                _values.WriteScalar(json, attribute.Value);
        }

        if (_values.Truncated && _writtenKeys.AddField(EventFields.Truncated))
            json.WriteBoolean(EventFields.Key(EventFields.Truncated), true);

        json.WriteEndObject();
        return _values.Longest;
    }

    /// <summary>The name a property is written under: its <c>propertyNames</c> rename, or its own name.</summary>
    string OutputName(string propertyName) =>
        _settings.PropertyNames.Count != 0 && _settings.PropertyNames.TryGetValue(propertyName, out var renamed) ? renamed : propertyName;
}
