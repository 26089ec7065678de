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
}
