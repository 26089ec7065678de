using System.IO;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>Builds a Dynatrace <c>ErrorResponseEnvelope</c>: <c>{"error":{"code":&lt;status&gt;,"message":"&lt;text&gt;"}}</c>.</summary>
internal static class ErrorEnvelope
{
    public const string ContentType = "application/json";

    public static byte[] Create(int statusCode, string message)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteNumber("code", statusCode);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
