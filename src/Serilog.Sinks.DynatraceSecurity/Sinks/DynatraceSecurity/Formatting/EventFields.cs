using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>One field the sink fills in: its name, encoded once, and its place in the order the fields are written.</summary>
internal sealed class Field
{
    Field(string name, int index)
    {
        Name = name;
        Key = JsonEncodedText.Encode(name);
        Index = index;
    }

    public string Name { get; }

    public JsonEncodedText Key { get; }

    /// <summary>The field's place in <see cref="EventFields.All"/>, which is the order <see cref="BuiltInFieldWriter"/> writes them in.</summary>
    public int Index { get; }

    internal static Field Define(List<Field> all, string name)
    {
        var field = new Field(name, all.Count);
        all.Add(field);
        return field;
    }

    public override string ToString() => Name;
}

/// <summary>
/// The Dynatrace semantic fields the sink fills in, each named once here, in the order they are written (the README's
/// event table says what each holds).
/// </summary>
internal static class EventFields
{
    // Declared first: the fields below add themselves to it as they are initialised, in this file's order.
    static readonly List<Field> Defined = new();

    public static readonly Field Timestamp = Define("timestamp");
    public static readonly Field EventKind = Define("event.kind");
    public static readonly Field EventType = Define("event.type");
    public static readonly Field EventId = Define("event.id");
    public static readonly Field EventDescription = Define("event.description");
    public static readonly Field EventProvider = Define("event.provider");
    public static readonly Field ProductName = Define("product.name");
    public static readonly Field ProductVendor = Define("product.vendor");
    public static readonly Field FindingId = Define("finding.id");
    public static readonly Field FindingType = Define("finding.type");
    public static readonly Field FindingTitle = Define("finding.title");
    public static readonly Field FindingTimeCreated = Define("finding.time.created");
    public static readonly Field FindingSeverity = Define("finding.severity");
    public static readonly Field RiskLevel = Define("dt.security.risk.level");
    public static readonly Field RiskScore = Define("dt.security.risk.score");
    public static readonly Field ObjectType = Define("object.type");
    public static readonly Field ObjectId = Define("object.id");
    public static readonly Field ExceptionType = Define("exception.type");
    public static readonly Field ExceptionMessage = Define("exception.message");
    public static readonly Field ExceptionStackTrace = Define("exception.stack_trace");
    public static readonly Field TraceId = Define("trace.id");
    public static readonly Field SpanId = Define("span.id");

    /// <summary>Present (true) when text values were cut to fit <c>eventBodyLimitBytes</c>; written last, if at all.</summary>
    public static readonly Field Truncated = Define("serilog.truncated");

    static readonly Dictionary<string, Field> ByName = CreateIndex();

    /// <summary>Every field, in the order they are written.</summary>
    public static IReadOnlyList<Field> All => Defined;

    public static readonly JsonEncodedText SecurityEventKindValue = JsonEncodedText.Encode("SECURITY_EVENT");

    /// <summary>
    /// The default <c>object.type</c>: the application's own process. <c>PROCESS</c> is the Smartscape type Dynatrace's
    /// semantic dictionary lists for process findings (with <c>PROCESS_GROUP</c>); see the README.
    /// </summary>
    public static readonly JsonEncodedText ProcessObjectTypeValue = JsonEncodedText.Encode("PROCESS");

    /// <summary>The field named <paramref name="name"/> (exactly), or null.</summary>
    public static Field? Find(string name) => ByName.TryGetValue(name, out var field) ? field : null;

    static Field Define(string name) => Field.Define(Defined, name);

    static Dictionary<string, Field> CreateIndex()
    {
        var index = new Dictionary<string, Field>(StringComparer.Ordinal);
        foreach (var field in Defined)
            index.Add(field.Name, field);
        return index;
    }
}
