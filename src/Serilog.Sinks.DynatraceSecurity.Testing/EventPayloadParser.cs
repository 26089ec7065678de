using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Validates an ingest body: strict UTF-8 without a byte order mark, strict JSON (no comments or trailing commas),
/// one object or an array of objects (an empty array is accepted with no events), and no duplicate property names in
/// any object at any depth.
/// </summary>
internal static class EventPayloadParser
{
    static readonly JsonDocumentOptions StrictJson = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    public static PayloadParseResult Parse(byte[] body)
    {
        if (body.Length == 0)
        {
            return PayloadParseResult.Rejected("The request body is empty; expected a JSON object or an array of JSON objects.");
        }

        if (!Utf8.IsValid(body))
        {
            return PayloadParseResult.Rejected("The request body is not valid UTF-8.");
        }

        if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF)
        {
            return PayloadParseResult.Rejected("The request body starts with a UTF-8 byte order mark; send JSON without one.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, StrictJson);
        }
        catch (JsonException ex)
        {
            return PayloadParseResult.Rejected($"The request body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return Extract(document.RootElement);
        }
    }

    static PayloadParseResult Extract(JsonElement root)
    {
        var events = new List<JsonElement>();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                if (FindDuplicate(root, "$") is { } rootDuplicate)
                {
                    return PayloadParseResult.Rejected($"The event has a duplicate property name: {rootDuplicate}.");
                }

                events.Add(root.Clone());
                break;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var element in root.EnumerateArray())
                {
                    if (element.ValueKind != JsonValueKind.Object)
                    {
                        return PayloadParseResult.Rejected(string.Create(
                            CultureInfo.InvariantCulture,
                            $"Array element {index} is a JSON {Describe(element.ValueKind)}; every event must be a JSON object."));
                    }

                    if (FindDuplicate(element, string.Create(CultureInfo.InvariantCulture, $"$[{index}]")) is { } duplicate)
                    {
                        return PayloadParseResult.Rejected(string.Create(
                            CultureInfo.InvariantCulture,
                            $"Event {index} has a duplicate property name: {duplicate}."));
                    }

                    events.Add(element.Clone());
                    index++;
                }

                break;

            default:
                return PayloadParseResult.Rejected(
                    $"The request body is a JSON {Describe(root.ValueKind)}; expected a JSON object or an array of JSON objects.");
        }

        return PayloadParseResult.Accepted(events);
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
