using System;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// The Dynatrace semantic fields the sink fills in, by index in the order they are written, with their names encoded
/// once. The index lets <see cref="KeySet"/> track them as bits and <see cref="GivenFields"/> as array slots.
/// </summary>
internal static class EventFields
{
    public const string Timestamp = "timestamp";
    public const string EventKind = "event.kind";
    public const string EventType = "event.type";
    public const string EventId = "event.id";
    public const string EventDescription = "event.description";
    public const string EventProvider = "event.provider";
    public const string ProductName = "product.name";
    public const string ProductVendor = "product.vendor";
    public const string FindingId = "finding.id";
    public const string FindingType = "finding.type";
    public const string FindingTitle = "finding.title";
    public const string FindingTimeCreated = "finding.time.created";
    public const string FindingSeverity = "finding.severity";
    public const string RiskLevel = "dt.security.risk.level";
    public const string RiskScore = "dt.security.risk.score";
    public const string ObjectType = "object.type";
    public const string ObjectId = "object.id";
    public const string ExceptionType = "exception.type";
    public const string ExceptionMessage = "exception.message";
    public const string ExceptionStackTrace = "exception.stack_trace";
    public const string TraceId = "trace.id";
    public const string SpanId = "span.id";

    /// <summary>Present (true) when text values were cut to fit <c>eventBodyLimitBytes</c>.</summary>
    public const string Truncated = "serilog.truncated";

    public const int TimestampIndex = 0;
    public const int EventKindIndex = 1;
    public const int EventTypeIndex = 2;
    public const int EventIdIndex = 3;
    public const int EventDescriptionIndex = 4;
    public const int EventProviderIndex = 5;
    public const int ProductNameIndex = 6;
    public const int ProductVendorIndex = 7;
    public const int FindingIdIndex = 8;
    public const int FindingTypeIndex = 9;
    public const int FindingTitleIndex = 10;
    public const int FindingTimeCreatedIndex = 11;
    public const int FindingSeverityIndex = 12;
    public const int RiskLevelIndex = 13;
    public const int RiskScoreIndex = 14;
    public const int ObjectTypeIndex = 15;
    public const int ObjectIdIndex = 16;
    public const int ExceptionTypeIndex = 17;
    public const int ExceptionMessageIndex = 18;
    public const int ExceptionStackTraceIndex = 19;
    public const int TraceIdIndex = 20;
    public const int SpanIdIndex = 21;

    /// <summary>How many fields the sink fills in; their indices are 0 to <c>Count - 1</c>.</summary>
    public const int Count = 22;

    /// <summary><see cref="Truncated"/> is tracked like a field, though written only at the end.</summary>
    public const int TruncatedIndex = Count;

    static readonly string[] Names =
    {
        Timestamp, EventKind, EventType, EventId, EventDescription, EventProvider, ProductName, ProductVendor,
        FindingId, FindingType, FindingTitle, FindingTimeCreated, FindingSeverity, RiskLevel, RiskScore, ObjectType,
        ObjectId, ExceptionType, ExceptionMessage, ExceptionStackTrace, TraceId, SpanId, Truncated,
    };

    static readonly JsonEncodedText[] Keys = Array.ConvertAll(Names, name => JsonEncodedText.Encode(name));

    public static readonly JsonEncodedText SecurityEventKindValue = JsonEncodedText.Encode("SECURITY_EVENT");

    /// <summary>
    /// The default <c>object.type</c>: the application's own process. <c>PROCESS</c> is the Smartscape type Dynatrace's
    /// semantic dictionary lists for process findings (with <c>PROCESS_GROUP</c>); see the README.
    /// </summary>
    public static readonly JsonEncodedText ProcessObjectTypeValue = JsonEncodedText.Encode("PROCESS");

    /// <summary>The name of the field at <paramref name="field"/>.</summary>
    public static string Name(int field) => Names[field];

    /// <summary>The name of the field at <paramref name="field"/>, encoded.</summary>
    public static JsonEncodedText Key(int field) => Keys[field];

    /// <summary>
    /// The index of a field the sink fills in (or <see cref="TruncatedIndex"/>), or -1 for any other name. A switch on
    /// the string (its length, then its characters), so most names are rejected without hashing them.
    /// </summary>
    public static int IndexOf(string name)
    {
        // Every field name starts with one of these letters and has one of a few lengths: most property names
        // (UserName, ClientIp, User.Name, SourceContext...) are turned away by these two tests alone.
        var length = name.Length;
        if (length > MaximumLength || (FieldNameLengths & (1 << length)) == 0)
            return -1;
        var first = name[0];
        if (first != 'e' && first != 't' && first != 'p' && first != 'f' && first != 's' && first != 'd' && first != 'o')
            return -1;
        return IndexOfCandidate(name);
    }

    const int MaximumLength = 22;

    /// <summary>Bit n is set when some field name is n characters long.</summary>
    static readonly int FieldNameLengths = LengthMask(Names);

    static int LengthMask(string[] names)
    {
        var mask = 0;
        foreach (var name in names)
        {
            if (name.Length > MaximumLength || "etpfsdo".IndexOf(name[0]) < 0)
                throw new InvalidOperationException("IndexOf's quick tests do not cover the field name " + name);
            mask |= 1 << name.Length;
        }

        return mask;
    }

    static int IndexOfCandidate(string name) => name switch
    {
        Timestamp => TimestampIndex,
        EventKind => EventKindIndex,
        EventType => EventTypeIndex,
        EventId => EventIdIndex,
        EventDescription => EventDescriptionIndex,
        EventProvider => EventProviderIndex,
        ProductName => ProductNameIndex,
        ProductVendor => ProductVendorIndex,
        FindingId => FindingIdIndex,
        FindingType => FindingTypeIndex,
        FindingTitle => FindingTitleIndex,
        FindingTimeCreated => FindingTimeCreatedIndex,
        FindingSeverity => FindingSeverityIndex,
        RiskLevel => RiskLevelIndex,
        RiskScore => RiskScoreIndex,
        ObjectType => ObjectTypeIndex,
        ObjectId => ObjectIdIndex,
        ExceptionType => ExceptionTypeIndex,
        ExceptionMessage => ExceptionMessageIndex,
        ExceptionStackTrace => ExceptionStackTraceIndex,
        TraceId => TraceIdIndex,
        SpanId => SpanIdIndex,
        Truncated => TruncatedIndex,
        _ => -1,
    };
}
