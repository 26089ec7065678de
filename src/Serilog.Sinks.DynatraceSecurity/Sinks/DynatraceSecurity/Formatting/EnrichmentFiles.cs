using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using Serilog.Debugging;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Reads the attributes Dynatrace provides for linking ingested data to its entities ("Enrich ingested data with
/// Dynatrace-specific dimensions"): inside a process OneAgent monitors, the virtual file
/// <see cref="ProcessFile"/> (opened by that bare name; its content is the path of the process's metadata file); in the
/// enrichment directory, <see cref="WorkloadFile"/> (Kubernetes workloads under the Dynatrace Operator) and
/// <see cref="HostFile"/> (a OneAgent host). Read once, when the sink starts. A missing file or directory is normal and
/// silent; a file that cannot be read or is not a JSON object costs one SelfLog line and adds nothing.
/// </summary>
internal static class EnrichmentFiles
{
    public const string ProcessFile = "dt_metadata_e617c525669e072eebe3d0f08212e8f2.json";
    public const string WorkloadFile = "dt_metadata.json";
    public const string HostFile = "dt_host_metadata.json";

    /// <summary>Where Dynatrace puts the files: <c>%ProgramData%\dynatrace\enrichment</c> on Windows, else <c>/var/lib/dynatrace/enrichment</c>.</summary>
    public static string DefaultDirectory =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "dynatrace", "enrichment")
            : "/var/lib/dynatrace/enrichment";

    /// <summary>
    /// The attributes, the most specific first (process, then workload, then host; the first of a key counts).
    /// <paramref name="directory"/>: null to read nothing at all (enrichment is off).
    /// </summary>
    public static List<KeyValuePair<string, object?>> Read(string? directory)
    {
        var attributes = new List<KeyValuePair<string, object?>>();
        if (directory == null)
            return attributes;

        var seen = new HashSet<string>(StringComparer.Ordinal);
        AddFrom(attributes, seen, ProcessFile, indirect: true);
        AddFrom(attributes, seen, Combine(directory, WorkloadFile), indirect: false);
        AddFrom(attributes, seen, Combine(directory, HostFile), indirect: false);
        return attributes;
    }

    static string Combine(string directory, string file)
    {
        try
        {
            return Path.Combine(directory, file);
        }
        catch (ArgumentException)
        {
            return directory + Path.DirectorySeparatorChar + file; // invalid characters: reading it fails and says so
        }
    }

    static void AddFrom(List<KeyValuePair<string, object?>> attributes, HashSet<string> seen, string path, bool indirect)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
            if (indirect && !text.TrimStart().StartsWith("{", StringComparison.Ordinal))
            {
                // OneAgent's virtual file names the file that holds the process's metadata.
                path = text.Trim();
                text = File.ReadAllText(path);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return; // no OneAgent, no Operator: normal
        }
        catch (Exception ex)
        {
            Warn($"the enrichment file {path} could not be read ({ex.GetType().Name}); its attributes are not added to security events");
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new JsonException("not a JSON object");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // The files are flat; a nested value is not metadata (a path that names some other JSON file, say a
                // configuration file, must not send that file's sections along with every event).
                if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    continue;
                if (property.Name.Trim().Length > 0 && seen.Add(property.Name))
                    attributes.Add(new KeyValuePair<string, object?>(property.Name, ValueOf(property.Value)));
            }
        }
        catch (JsonException)
        {
            // The file's content is not echoed: it is the host's, not ours to print.
            Warn($"the enrichment file {path} is not a JSON object of attributes; its attributes are not added to security events");
        }
    }

    static object? ValueOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
        _ => value.GetDouble(),
    };

    static void Warn(string message) => SelfLog.WriteLine("Serilog.Sinks.DynatraceSecurity: {0}", message);
}
