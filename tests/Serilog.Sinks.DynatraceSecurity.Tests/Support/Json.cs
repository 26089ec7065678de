using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

static class Json
{
    /// <summary>Formats one event with the sink's formatter and parses the result (failing on duplicate keys).</summary>
    public static JsonElement Format(LogEvent logEvent, Action<DynatraceSecuritySinkOptions>? configure = null, Guid? eventId = null)
    {
        var settings = SinkSettings.From(TestOptions.Create(configure));
        var formatter = new SecurityEventFormatter(settings, new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType));
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            formatter.Write(writer, logEvent, eventId ?? Guid.NewGuid());
        return Parse(buffer.WrittenMemory.ToArray());
    }

    public static JsonElement Parse(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        AssertUniqueKeys(document.RootElement, "$");
        return document.RootElement.Clone();
    }

    public static void AssertUniqueKeys(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var names = element.EnumerateObject().Select(p => p.Name).ToList();
            var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null)
                throw new InvalidOperationException($"Duplicate key '{duplicate.Key}' in {path}");
            foreach (var property in element.EnumerateObject())
                AssertUniqueKeys(property.Value, path + "." + property.Name);
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
                AssertUniqueKeys(item, $"{path}[{i++}]");
        }
    }

    public static IReadOnlyList<string> Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();
}
