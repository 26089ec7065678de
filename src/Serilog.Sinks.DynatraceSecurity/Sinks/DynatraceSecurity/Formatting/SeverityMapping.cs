using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>Maps Serilog levels to Dynatrace <c>finding.severity</c> values.</summary>
internal static class SeverityMapping
{
    public static string FromLevel(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => "CRITICAL",
        LogEventLevel.Error => "HIGH",
        LogEventLevel.Warning => "MEDIUM",
        _ => "LOW",
    };
}
