using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>Maps Serilog levels to Dynatrace <c>finding.severity</c> values.</summary>
internal static class SeverityMapping
{
    static readonly JsonEncodedText Critical = JsonEncodedText.Encode("CRITICAL");
    static readonly JsonEncodedText High = JsonEncodedText.Encode("HIGH");
    static readonly JsonEncodedText Medium = JsonEncodedText.Encode("MEDIUM");
    static readonly JsonEncodedText Low = JsonEncodedText.Encode("LOW");

    /// <summary>Fatal <c>CRITICAL</c>, Error <c>HIGH</c>, Warning <c>MEDIUM</c>, lower <c>LOW</c>, encoded once.</summary>
    public static JsonEncodedText EncodedFromLevel(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => Critical,
        LogEventLevel.Error => High,
        LogEventLevel.Warning => Medium,
        _ => Low,
    };
}
