using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>Copies request headers into a case-insensitive, read-only dictionary (repeated values joined with ", ").</summary>
internal static class RequestHeaderSnapshot
{
    public static IReadOnlyDictionary<string, string> Capture(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers)
        {
            copy[header.Key] = string.Join(", ", header.Value.ToArray());
        }

        return new ReadOnlyDictionary<string, string>(copy);
    }
}
