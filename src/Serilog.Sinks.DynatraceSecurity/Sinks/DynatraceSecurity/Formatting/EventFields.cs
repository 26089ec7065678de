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

    /// <summary>
    /// The field's place in the writing order; also its bit in <see cref="KeySet"/> and its slot in <see cref="GivenFields"/>.
    /// </summary>
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
/// The Dynatrace semantic fields the sink fills in, each named once here, in the order <see cref="BuiltInFieldWriter"/>
/// writes them (docs/events.md's field table says what each holds).
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

    /// <summary>
    /// Present (true) when text values were cut to fit <c>eventBodyLimitBytes</c>. Tracked like the fields above, but
    /// written last, and never given by the event (a property of this name is written as any other property).
    /// </summary>
    public static readonly Field Truncated = Define("serilog.truncated");

    /// <summary>How many fields the event or an attribute can give (all but <see cref="Truncated"/>).</summary>
    public static readonly int GivenCount = Truncated.Index;

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

    /// <summary>The field at <paramref name="index"/>.</summary>
    public static Field At(int index) => Defined[index];

    /// <summary>The index of the field named <paramref name="name"/> (exactly), or -1 for any other name.</summary>
    public static int IndexOf(string name)
    {
        var length = name.Length;
        if (length >= 64 || (NameLengths & (1L << length)) == 0 || FirstLetters.IndexOf(name[0]) < 0)
            return -1;
        return Indices.TryGetValue(name, out var index) ? index : -1;
    }

    static Field Define(string name) => Field.Define(Defined, name);

    static Dictionary<string, int> CreateIndex(out string firstLetters, out long nameLengths)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        firstLetters = "";
        nameLengths = 0;
        foreach (var field in Defined)
        {
            index.Add(field.Name, field.Index);
            if (firstLetters.IndexOf(field.Name[0]) < 0)
                firstLetters += field.Name[0];
            nameLengths |= 1L << field.Name.Length;
        }

        return index;
    }
}
