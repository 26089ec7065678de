using System;
using System.Collections.Generic;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// The Dynatrace semantic fields the sink fills in, each named once here, in the order <see cref="BuiltInFieldWriter"/>
/// writes them (docs/events.md's field table says what each holds), and the values the sink gives them. A field is its
/// index: its place in the order, its bit in <see cref="KeySet"/>.
/// </summary>
internal static class EventFields
{
    public const int Timestamp = 0;
    public const int EventKind = 1;
    public const int EventType = 2;
    public const int EventId = 3;
    public const int EventDescription = 4;
    public const int EventProvider = 5;
    public const int ProductName = 6;
    public const int ProductVendor = 7;
    public const int FindingId = 8;
    public const int FindingType = 9;
    public const int FindingTitle = 10;
    public const int FindingTimeCreated = 11;
    public const int FindingSeverity = 12;
    public const int RiskLevel = 13;
    public const int RiskScore = 14;
    public const int ObjectType = 15;
    public const int ObjectId = 16;
    public const int ExceptionType = 17;
    public const int ExceptionMessage = 18;
    public const int ExceptionStackTrace = 19;
    public const int TraceId = 20;
    public const int SpanId = 21;

    /// <summary>
    /// Present (true) when text values were cut to fit <c>eventBodyLimitBytes</c>. Tracked like the fields above, but
    /// written last, and never given by the event (a property of this name is written as any other property).
    /// </summary>
    public const int Truncated = 22;

    /// <summary>How many fields the event or an attribute can give (all but <see cref="Truncated"/>).</summary>
    public const int GivenCount = Truncated;

    static readonly string[] Names =
    {
        "timestamp", "event.kind", "event.type", "event.id", "event.description", "event.provider", "product.name",
        "product.vendor", "finding.id", "finding.type", "finding.title", "finding.time.created", "finding.severity",
        "dt.security.risk.level", "dt.security.risk.score", "object.type", "object.id", "exception.type",
        "exception.message", "exception.stack_trace", "trace.id", "span.id", "serilog.truncated",
    };

    static readonly JsonEncodedText[] Keys = Array.ConvertAll(Names, name => JsonEncodedText.Encode(name));

    public static readonly JsonEncodedText SecurityEventKindValue = JsonEncodedText.Encode("SECURITY_EVENT");

    /// <summary>
    /// The default <c>object.type</c>: the application's own process. <c>PROCESS</c> is the Smartscape type Dynatrace's
    /// semantic dictionary lists for process findings (with <c>PROCESS_GROUP</c>); see docs/events.md.
    /// </summary>
    public static readonly JsonEncodedText ProcessObjectTypeValue = JsonEncodedText.Encode("PROCESS");

    static readonly Dictionary<string, int> Indices = CreateIndex(out FirstLetters, out NameLengths);

    // Every field name starts with one of these letters and has one of a few lengths: most property names (UserName,
    // ClientIp, User.Name, SourceContext...) are turned away by these two tests without hashing them.
    static readonly string FirstLetters;
    static readonly long NameLengths;

    public static string Name(int field) => Names[field];

    public static JsonEncodedText Key(int field) => Keys[field];

    /// <summary>The index of the field named <paramref name="name"/> (exactly), or -1 for any other name.</summary>
    public static int IndexOf(string name)
    {
        var length = name.Length;
        if (length >= 64 || (NameLengths & (1L << length)) == 0 || FirstLetters.IndexOf(name[0]) < 0)
            return -1;
        return Indices.TryGetValue(name, out var index) ? index : -1;
    }

    static Dictionary<string, int> CreateIndex(out string firstLetters, out long nameLengths)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        firstLetters = "";
        nameLengths = 0;
        for (var field = 0; field < Names.Length; field++)
        {
            var name = Names[field];
            index.Add(name, field);
            if (firstLetters.IndexOf(name[0]) < 0)
                firstLetters += name[0];
            nameLengths |= 1L << name.Length;
        }

        return index;
    }

    // The risk levels: the finding.severity and dt.security.risk.level values, and a dt.security.risk.score for each,
    // the middle of Dynatrace's band for the level (CRITICAL 9.0–10.0, HIGH 7.0–8.9, MEDIUM 4.0–6.9, LOW 1.0–3.9): a
    // log level names a band, not a point in it.
    static readonly string[] RiskTexts = { "LOW", "MEDIUM", "HIGH", "CRITICAL" };
    static readonly JsonEncodedText[] RiskNames = Array.ConvertAll(RiskTexts, text => JsonEncodedText.Encode(text));

    // The JSON numbers as written, so that 8.0 is written as 8.0 (a number with a fraction, like every other score),
    // copied as they are: formatting a decimal for every event cost about 4% of formatting it.
    static readonly byte[][] RiskScores = { "2.5"u8.ToArray(), "5.5"u8.ToArray(), "8.0"u8.ToArray(), "9.5"u8.ToArray() };

    /// <summary>The risk level of a log level: Fatal <c>CRITICAL</c>, Error <c>HIGH</c>, Warning <c>MEDIUM</c>, lower <c>LOW</c>.</summary>
    public static int RiskLevelOf(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 3,
        LogEventLevel.Error => 2,
        LogEventLevel.Warning => 1,
        _ => 0,
    };

    /// <summary>The risk level <paramref name="text"/> names (case-insensitive), if it names one of the four.</summary>
    public static bool TryParseRisk(string? text, out int level)
    {
        for (level = 0; level < RiskTexts.Length; level++)
        {
            if (string.Equals(text, RiskTexts[level], StringComparison.OrdinalIgnoreCase))
                return true;
        }

        level = -1;
        return false;
    }

    public static JsonEncodedText RiskLevelName(int level) => RiskNames[level];

    /// <summary>The level's <c>dt.security.risk.score</c>, as the JSON number to write.</summary>
    public static ReadOnlySpan<byte> RiskScoreOf(int level) => RiskScores[level];
}
