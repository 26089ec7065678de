using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>One event object from a request the <see cref="DynatraceIngestReceiver"/> accepted.</summary>
public sealed class ReceivedEvent
{
    internal ReceivedEvent(ReceivedRequest request, JsonElement json)
    {
        Request = request;
        Json = json;
    }

    /// <summary>The request that carried this event.</summary>
    public ReceivedRequest Request { get; }

    /// <summary>The event object (a cloned <see cref="JsonElement"/> of kind <see cref="JsonValueKind.Object"/>, safe to keep).</summary>
    public JsonElement Json { get; }

    /// <summary>
    /// The value of the top-level property with exactly this name (dotted keys such as <c>event.type</c> are names, not paths).
    /// </summary>
    /// <param name="key">The exact property name, compared case-sensitively.</param>
    /// <returns>
    /// The string for a JSON string; the raw JSON text for a number, <c>true</c>/<c>false</c>, an object or an array;
    /// null when the property is absent or JSON <c>null</c>.
    /// </returns>
    public string? GetString(string key)
    {
        if (!Json.TryGetProperty(key, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        };
    }

    /// <summary>The event as JSON text.</summary>
    /// <returns>The raw JSON of the event object.</returns>
    public override string ToString() => Json.GetRawText();
}
