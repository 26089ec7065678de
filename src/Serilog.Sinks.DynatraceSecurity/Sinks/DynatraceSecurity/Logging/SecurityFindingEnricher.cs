using System.Collections.Generic;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Logging;

/// <summary>
/// What <c>ForSecurityEvent(SecurityFinding)</c> adds to each event: the marker and the finding's values, as fixed
/// properties made once. Like <c>ForContext</c>, it never replaces a property the event already has.
/// </summary>
internal sealed class SecurityFindingEnricher : ILogEventEnricher
{
    readonly LogEventProperty[] _properties;

    public SecurityFindingEnricher(SecurityFinding finding)
    {
        var properties = new List<LogEventProperty>
        {
            new(SecurityEventLoggerExtensions.DefaultMarkerProperty, new ScalarValue(finding.EventType)),
        };
        foreach (var attribute in finding.Attributes())
            properties.Add(new LogEventProperty(attribute.Key, new ScalarValue(attribute.Value)));
        _properties = properties.ToArray();
    }

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var property in _properties)
            logEvent.AddPropertyIfAbsent(property);
    }
}
