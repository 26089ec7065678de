using System.Collections.Generic;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// One key as it is written (a property name, a dotted path such as <c>User.Name</c>, an attribute's name), with
/// everything about it that depends only on the name. <see cref="PropertyFlattener"/> keeps them between events, unique
/// by name, so a name seen before costs one dictionary lookup: no joined string (920 B per representative event
/// without them, docs/benchmarks.md), no redaction check.
/// </summary>
internal sealed class FlatKey
{
    /// <param name="name">The full name; members' names are joined to it.</param>
    /// <param name="writtenName">The name to write (<see cref="ReservedNamespaces"/> may have prefixed it; the flattener cuts it).</param>
    /// <param name="redacted">Whether its values are redacted.</param>
    /// <param name="cached">Whether the flattener's table keeps it (very long names are not kept).</param>
    public FlatKey(string name, string writtenName, bool redacted, bool cached)
    {
        Name = name;
        WrittenName = writtenName;
        Redacted = redacted;
        Cached = cached;
        Field = EventFields.IndexOf(WrittenName);
    }

    public string Name { get; }

    /// <summary>The name as written and as compared for uniqueness.</summary>
    public string WrittenName { get; }

    public bool Redacted { get; }

    public bool Cached { get; }

    /// <summary><see cref="EventFields.IndexOf"/> of <see cref="WrittenName"/>.</summary>
    public int Field { get; }

    /// <summary>The keys of members (<c>Name</c> → <c>User.Name</c>), created on first use.</summary>
    public Dictionary<string, FlatKey>? Members;
}
