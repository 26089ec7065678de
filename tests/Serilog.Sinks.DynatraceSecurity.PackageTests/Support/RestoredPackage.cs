using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.PackageTests.Support;

/// <summary>How NuGet resolved one package for a consumer, read from its obj/project.assets.json.</summary>
internal sealed record RestoredPackage(string Type, string Version, IReadOnlyList<string> CompileAssets, IReadOnlyList<string> RuntimeAssets)
{
    /// <summary>The package of this id in the (single) target framework of the assets file; null when it was not restored.</summary>
    public static RestoredPackage? Find(string assetsFile, string packageId)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(assetsFile));
        foreach (var target in assets.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                var idAndVersion = library.Name.Split('/', 2);
                if (idAndVersion.Length == 2 && string.Equals(idAndVersion[0], packageId, StringComparison.OrdinalIgnoreCase))
                {
                    return new RestoredPackage(
                        library.Value.GetProperty("type").GetString() ?? string.Empty,
                        idAndVersion[1],
                        Names(library.Value, "compile"),
                        Names(library.Value, "runtime"));
                }
            }
        }

        return null;
    }

    static IReadOnlyList<string> Names(JsonElement library, string section) =>
        library.TryGetProperty(section, out var assets)
            ? assets.EnumerateObject().Select(asset => asset.Name).ToArray()
            : Array.Empty<string>();
}
