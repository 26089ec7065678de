using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Filtering;

/// <summary>
/// Recognises security events: a property named <c>markerProperty</c> whose value is <c>true</c> (the default event
/// type) or a string that is not empty or white space (the event type itself).
/// </summary>
internal sealed class SecurityMarker
{
    readonly string _defaultEventType;

    public SecurityMarker(string propertyName, string defaultEventType)
    {
        PropertyName = propertyName;
        _defaultEventType = defaultEventType;
    }

    public string PropertyName { get; }

    public bool IsMarked(LogEvent logEvent) => TryGetEventType(logEvent, out _);

    public bool TryGetEventType(LogEvent logEvent, out string eventType)
    {
        if (logEvent.Properties.TryGetValue(PropertyName, out var value) && value is ScalarValue scalar)
        {
            switch (scalar.Value)
            {
                case true:
                    eventType = _defaultEventType;
                    return true;
                case string text when !string.IsNullOrWhiteSpace(text):
                    eventType = text;
                    return true;
            }
        }

        eventType = _defaultEventType;
        return false;
    }
}
