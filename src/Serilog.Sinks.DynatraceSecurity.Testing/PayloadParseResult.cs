using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>The events parsed from a request body, or why the body was rejected.</summary>
internal sealed class PayloadParseResult
{
    PayloadParseResult(IReadOnlyList<JsonElement> events, string? error)
    {
        Events = events;
        Error = error;
    }

    /// <summary>Cloned event objects in body order; empty when <see cref="Error"/> is set.</summary>
    public IReadOnlyList<JsonElement> Events { get; }

    /// <summary>A message saying what was wrong with the body, or null when it is acceptable.</summary>
    public string? Error { get; }

    public static PayloadParseResult Accepted(IReadOnlyList<JsonElement> events) => new(events, null);

    public static PayloadParseResult Rejected(string error) => new(Array.Empty<JsonElement>(), error);
}
