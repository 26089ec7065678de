using System;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>The Dynatrace semantic field names the sink fills in, pre-encoded once.</summary>
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
    public const string FindingSeverity = "finding.severity";
    public const string ExceptionType = "exception.type";
    public const string ExceptionMessage = "exception.message";
    public const string ExceptionStackTrace = "exception.stack_trace";
    public const string TraceId = "trace.id";
    public const string SpanId = "span.id";

    /// <summary>Present (true) when text values were cut to fit <c>eventBodyLimitBytes</c>.</summary>
    public const string Truncated = "serilog.truncated";

    public const string SecurityEventKind = "SECURITY_EVENT";

    public static readonly JsonEncodedText TimestampKey = JsonEncodedText.Encode(Timestamp);
    public static readonly JsonEncodedText EventKindKey = JsonEncodedText.Encode(EventKind);
    public static readonly JsonEncodedText EventTypeKey = JsonEncodedText.Encode(EventType);
    public static readonly JsonEncodedText EventIdKey = JsonEncodedText.Encode(EventId);
    public static readonly JsonEncodedText EventDescriptionKey = JsonEncodedText.Encode(EventDescription);
    public static readonly JsonEncodedText EventProviderKey = JsonEncodedText.Encode(EventProvider);
    public static readonly JsonEncodedText ProductNameKey = JsonEncodedText.Encode(ProductName);
    public static readonly JsonEncodedText ProductVendorKey = JsonEncodedText.Encode(ProductVendor);
    public static readonly JsonEncodedText FindingSeverityKey = JsonEncodedText.Encode(FindingSeverity);
    public static readonly JsonEncodedText ExceptionTypeKey = JsonEncodedText.Encode(ExceptionType);
    public static readonly JsonEncodedText ExceptionMessageKey = JsonEncodedText.Encode(ExceptionMessage);
    public static readonly JsonEncodedText ExceptionStackTraceKey = JsonEncodedText.Encode(ExceptionStackTrace);
    public static readonly JsonEncodedText TraceIdKey = JsonEncodedText.Encode(TraceId);
    public static readonly JsonEncodedText SpanIdKey = JsonEncodedText.Encode(SpanId);

    public static readonly JsonEncodedText TruncatedKey = JsonEncodedText.Encode(Truncated);

    public static readonly JsonEncodedText SecurityEventKindValue = JsonEncodedText.Encode(SecurityEventKind);

    /// <summary>
    /// The position of a field the sink fills in (or <see cref="Truncated"/>) among these names, or -1 for any other
    /// name: lets <see cref="KeySet"/> track them as bits. A switch on the string (its length, then its characters),
    /// so most names are rejected without hashing them.
    /// </summary>
    public static int IndexOf(string name)
    {
        // Every field name starts with one of these letters and has one of a few lengths: most property names
        // (UserName, ClientIp, User.Name, SourceContext...) are turned away by these two tests alone.
        var length = name.Length;
        if (length > MaximumLength || (FieldNameLengths & (1 << length)) == 0)
            return -1;
        var first = name[0];
        if (first != 'e' && first != 't' && first != 'p' && first != 'f' && first != 's')
            return -1;
        return IndexOfCandidate(name);
    }

    const int MaximumLength = 21;

    /// <summary>Bit n is set when some field name is n characters long.</summary>
    static readonly int FieldNameLengths = LengthMask(
        Timestamp, EventKind, EventType, EventId, EventDescription, EventProvider, ProductName, ProductVendor,
        FindingSeverity, ExceptionType, ExceptionMessage, ExceptionStackTrace, TraceId, SpanId, Truncated);

    static int LengthMask(params string[] names)
    {
        var mask = 0;
        foreach (var name in names)
        {
            if (name.Length > MaximumLength || "etpfs".IndexOf(name[0]) < 0)
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
        FindingSeverity => FindingSeverityIndex,
        ExceptionType => ExceptionTypeIndex,
        ExceptionMessage => ExceptionMessageIndex,
        ExceptionStackTrace => ExceptionStackTraceIndex,
        TraceId => TraceIdIndex,
        SpanId => SpanIdIndex,
        Truncated => TruncatedIndex,
        _ => -1,
    };

    public const int TimestampIndex = 0;
    public const int EventKindIndex = 1;
    public const int EventTypeIndex = 2;
    public const int EventIdIndex = 3;
    public const int EventDescriptionIndex = 4;
    public const int EventProviderIndex = 5;
    public const int ProductNameIndex = 6;
    public const int ProductVendorIndex = 7;
    public const int FindingSeverityIndex = 8;
    public const int ExceptionTypeIndex = 9;
    public const int ExceptionMessageIndex = 10;
    public const int ExceptionStackTraceIndex = 11;
    public const int TraceIdIndex = 12;
    public const int SpanIdIndex = 13;
    public const int TruncatedIndex = 14;
}
