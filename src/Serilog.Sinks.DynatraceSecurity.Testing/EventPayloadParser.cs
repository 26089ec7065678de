using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Unicode;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Takes the events from an ingest body, or says why it is refused: strict UTF-8 without a byte order mark, strict JSON
/// (no comments or trailing commas), one object or an array of objects (an empty array holds no events), no duplicate
/// property names in any object at any depth; then, when required, the fields Dynatrace's security app needs, and the
/// test's own check (<see cref="DynatraceIngestReceiverOptions.ValidateEvent"/>). A body is taken or refused as a whole,
/// since Dynatrace documents no partial acceptance.
/// </summary>
internal static class EventPayloadParser
{
    /// <summary>
    /// Without these, Dynatrace's Threats &amp; Exploits app hides a finding or shows it incomplete (Dynatrace's reference
    /// for querying detections, "Threats &amp; Exploits (T&amp;E) App Compatibility"). Dynatrace's ingest accepts such
    /// events, so requiring them is the receiver's own check.
    /// </summary>
    static readonly string[] SecurityAppFields =
    {
        "event.id", "event.provider", "finding.type", "finding.id", "finding.time.created", "finding.title",
        "dt.security.risk.level", "object.id", "object.type",
    };

    static readonly JsonDocumentOptions StrictJson = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <returns>The cloned event objects in body order, or none and a message saying what is wrong.</returns>
    public static (IReadOnlyList<JsonElement> Events, string? Problem) Parse(
        byte[] body, bool requireSecurityAppFields, Func<JsonElement, string?>? validateEvent)
    {
        if (body.Length == 0)
        {
            return Rejected("The request body is empty; expected a JSON object or an array of JSON objects.");
        }

        if (!Utf8.IsValid(body))
        {
            return Rejected("The request body is not valid UTF-8.");
        }

        if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF)
        {
            return Rejected("The request body starts with a UTF-8 byte order mark; send JSON without one.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, StrictJson);
        }
        catch (JsonException ex)
        {
            return Rejected($"The request body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var (events, problem) = Extract(document.RootElement);
            if (problem is null && requireSecurityAppFields)
            {
                problem = events.Select(MissingSecurityAppFields).FirstOrDefault(missing => missing is not null);
            }

            if (problem is null && validateEvent is not null)
            {
                problem = events.Select(validateEvent).FirstOrDefault(refused => refused is not null);
            }

            return problem is null ? (events, null) : Rejected(problem);
        }
    }

    static (IReadOnlyList<JsonElement> Events, string? Problem) Extract(JsonElement root)
    {
        var events = new List<JsonElement>();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                if (FindDuplicate(root, "$") is { } rootDuplicate)
                {
                    return Rejected($"The event has a duplicate property name: {rootDuplicate}.");
                }

                events.Add(root.Clone());
                break;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var element in root.EnumerateArray())
                {
                    if (element.ValueKind != JsonValueKind.Object)
                    {
                        return Rejected(string.Create(
                            CultureInfo.InvariantCulture,
                            $"Array element {index} is a JSON {Describe(element.ValueKind)}; every event must be a JSON object."));
                    }

                    if (FindDuplicate(element, string.Create(CultureInfo.InvariantCulture, $"$[{index}]")) is { } duplicate)
                    {
                        return Rejected(string.Create(
                            CultureInfo.InvariantCulture,
                            $"Event {index} has a duplicate property name: {duplicate}."));
                    }

                    events.Add(element.Clone());
                    index++;
                }

                break;

            default:
                return Rejected(
                    $"The request body is a JSON {Describe(root.ValueKind)}; expected a JSON object or an array of JSON objects.");
        }

        return (events, null);
    }

    /// <summary>The first duplicate property (with its JSON path) in <paramref name="element"/> or below, or null.</summary>
    static string? FindDuplicate(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var propertyPath = $"{path}[{JsonSerializer.Serialize(property.Name)}]";
                    if (!names.Add(property.Name))
                    {
                        return $"'{property.Name}' at {propertyPath}";
                    }

                    if (FindDuplicate(property.Value, propertyPath) is { } nested)
                    {
                        return nested;
                    }
                }

                return null;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindDuplicate(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]")) is { } nested)
                    {
                        return nested;
                    }

                    index++;
                }

                return null;

            default:
                return null;
        }
    }

    /// <summary>Null when event <paramref name="index"/> has every field (present, not null, not ""), else which it lacks.</summary>
    static string? MissingSecurityAppFields(JsonElement candidate, int index)
    {
        var missing = SecurityAppFields.Where(field => !candidate.TryGetProperty(field, out var value)
            || value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0)).ToList();
        return missing.Count == 0 ? null : string.Create(
            CultureInfo.InvariantCulture,
            $"Event {index} lacks fields Dynatrace's Threats & Exploits app needs to show a finding: {string.Join(", ", missing)} (set DynatraceIngestReceiverOptions.RequireSecurityAppFields to false to accept such events).");
    }

    static (IReadOnlyList<JsonElement>, string?) Rejected(string problem) => (Array.Empty<JsonElement>(), problem);

    static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "object",
    };
}
