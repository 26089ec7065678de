using System;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// The four levels the sink maps events to: the <c>finding.severity</c> and <c>dt.security.risk.level</c> values, and a
/// <c>dt.security.risk.score</c> for each, the middle of Dynatrace's band for the level (CRITICAL 9.0–10.0,
/// HIGH 7.0–8.9, MEDIUM 4.0–6.9, LOW 1.0–3.9): a log level names a band, not a point in it.
/// </summary>
internal static class RiskLevels
{
    public const int Low = 0;
    public const int Medium = 1;
    public const int High = 2;
    public const int Critical = 3;

    static readonly string[] Texts = { "LOW", "MEDIUM", "HIGH", "CRITICAL" };
    static readonly JsonEncodedText[] Names = Array.ConvertAll(Texts, text => JsonEncodedText.Encode(text));

    // The JSON numbers as written, so that 8.0 is written as 8.0 (a number with a fraction, like every other score),
    // copied as they are: formatting a decimal for every event cost about 4% of formatting it.
    static readonly byte[][] Scores = { "2.5"u8.ToArray(), "5.5"u8.ToArray(), "8.0"u8.ToArray(), "9.5"u8.ToArray() };

    /// <summary>Fatal <c>CRITICAL</c>, Error <c>HIGH</c>, Warning <c>MEDIUM</c>, lower <c>LOW</c>.</summary>
    public static int FromLevel(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => Critical,
        LogEventLevel.Error => High,
        LogEventLevel.Warning => Medium,
        _ => Low,
    };

    /// <summary>The level <paramref name="text"/> names (case-insensitive), if it names one of the four.</summary>
    public static bool TryParse(string? text, out int level)
    {
        for (level = 0; level < Texts.Length; level++)
        {
            if (string.Equals(text, Texts[level], StringComparison.OrdinalIgnoreCase))
                return true;
        }

        level = -1;
        return false;
    }

    public static JsonEncodedText Name(int level) => Names[level];

    /// <summary>The level's <c>dt.security.risk.score</c>, as the JSON number to write.</summary>
    public static ReadOnlySpan<byte> Score(int level) => Scores[level];
}
