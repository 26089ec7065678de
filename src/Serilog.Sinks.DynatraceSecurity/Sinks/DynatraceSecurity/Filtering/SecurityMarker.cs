using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Filtering;

/// <summary>
/// Recognises security events: a property named <c>markerProperty</c>, or the default marker <c>SecurityEvent</c>
/// that the library's own helpers (<c>ForSecurityEvent</c>, <c>LogSecurityEvent</c>, <c>BeginSecurityScope</c>) add,
/// whose value is <c>true</c> (the default event type) or a string that is not empty or white space (the event type
/// itself). The configured property is looked at first. Recognising the default marker whatever is configured means no
/// configuration can silently ignore the helpers.
/// </summary>
internal sealed class SecurityMarker
{
    readonly string _propertyName;
    readonly string _defaultEventType;
    readonly bool _defaultConfigured;

    public SecurityMarker(string propertyName, string defaultEventType)
    {
        _propertyName = propertyName;
        _defaultEventType = defaultEventType;
        _defaultConfigured = propertyName == SecurityEventLoggerExtensions.DefaultMarkerProperty;
    }

    /// <summary>Whether a property is a marker (and so never written into the event).</summary>
    public bool IsMarkerProperty(string name) =>
        name == _propertyName || name == SecurityEventLoggerExtensions.DefaultMarkerProperty;

    /// <summary>
    /// Asked of every event logged through the pipeline: one dictionary lookup for an event without a marker, two with
    /// a custom <c>markerProperty</c>.
    /// </summary>
    public bool IsMarked(LogEvent logEvent) => TryGetEventType(logEvent, out _);

    public bool TryGetEventType(LogEvent logEvent, out string eventType) =>
        TryGetEventType(logEvent, _propertyName, out eventType) ||
        (!_defaultConfigured && TryGetEventType(logEvent, SecurityEventLoggerExtensions.DefaultMarkerProperty, out eventType));

    bool TryGetEventType(LogEvent logEvent, string propertyName, out string eventType)
    {
        if (logEvent.Properties.TryGetValue(propertyName, out var value) && value is ScalarValue scalar &&
            (scalar.Value is true || (scalar.Value is string text && !string.IsNullOrWhiteSpace(text))))
        {
            // true: the default event type; otherwise the marker's text is the event type.
            eventType = scalar.Value as string ?? _defaultEventType;
            return true;
        }

        eventType = _defaultEventType;
        return false;
    }
}
