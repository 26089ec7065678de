using System.Linq;
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
        var marker = new LogEventProperty(SecurityEventLoggerExtensions.DefaultMarkerProperty, new ScalarValue(finding.EventType));
        _properties = new[] { marker }
            .Concat(finding.Attributes().Select(attribute => new LogEventProperty(attribute.Key, new ScalarValue(attribute.Value))))
            .ToArray();
    }

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var property in _properties)
            logEvent.AddPropertyIfAbsent(property);
    }
}
