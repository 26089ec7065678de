using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Requires the nine fields without which Dynatrace's Threats &amp; Exploits app hides a finding or shows it incomplete
/// (Dynatrace's reference for querying detections, "Threats &amp; Exploits (T&amp;E) App Compatibility"): each present, not
/// null, and not an empty string. Dynatrace itself accepts such events, so this is the receiver's own check, on unless
/// <see cref="DynatraceIngestReceiverOptions.RequireSecurityAppFields"/> is turned off.
/// </summary>
internal static class SecurityAppFieldsCheck
{
    static readonly string[] Fields =
    {
        "event.id", "event.provider", "finding.type", "finding.id", "finding.time.created", "finding.title",
        "dt.security.risk.level", "object.id", "object.type",
    };

    /// <summary>Null when event <paramref name="index"/> has every field, otherwise a message for the 400 answer.</summary>
    public static string? Validate(JsonElement candidate, int index)
    {
        List<string>? missing = null;
        foreach (var field in Fields)
        {
            if (!candidate.TryGetProperty(field, out var value)
                || value.ValueKind == JsonValueKind.Null
                || (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0))
            {
                (missing ??= new List<string>()).Add(field);
            }
        }

        if (missing is null)
        {
            return null;
        }

        var fields = string.Join(", ", missing);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Event {index} lacks fields Dynatrace's Threats & Exploits app needs to show a finding: {fields} (set DynatraceIngestReceiverOptions.RequireSecurityAppFields to false to accept such events).");
    }
}
