using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// One key as the flattener writes it (a property name, or a dotted path such as <c>User.Name</c>), with everything
/// about it that depends only on the name: the name as written (cut to <see cref="PropertyFlattener.MaximumKeyLength"/>,
/// prefixed when under a reserved namespace), whether
/// it is redacted, its JSON-encoded form, and the keys of its members. <see cref="PropertyFlattener"/> keeps them
/// between events, unique by name, so a name seen before costs one dictionary lookup: no joined string, no redaction
/// check, no transcoding, no hashing to tell whether it was written already.
/// </summary>
internal sealed class FlatKey
{
    /// <param name="name">The full name.</param>
    /// <param name="writtenName">The name to write (<see cref="ReservedNamespaces"/> may have prefixed it), before cutting.</param>
    /// <param name="redacted">Whether its values are redacted.</param>
    /// <param name="cached">Whether the flattener's table keeps it.</param>
    public FlatKey(string name, string writtenName, bool redacted, bool cached)
    {
        Name = name;
        WrittenName = writtenName.Substring(0, ValueWriter.CutIndex(writtenName.AsSpan(), PropertyFlattener.MaximumKeyLength));
        Redacted = redacted;
        Cached = cached;
        Field = EventFields.IndexOf(WrittenName);
    }

    /// <summary>The full name; members' names are joined to it.</summary>
    public string Name { get; }

    /// <summary>The name as written and as compared for uniqueness (cut to the maximum key length, prefixed when reserved).</summary>
    public string WrittenName { get; }

    public bool Redacted { get; }

    /// <summary><see cref="EventFields.IndexOf"/> of <see cref="WrittenName"/>.</summary>
    public int Field { get; }

    /// <summary>Whether this key is kept in the flattener's table (hostile or very long names are not).</summary>
    public bool Cached { get; }

    /// <summary><see cref="WrittenName"/>, repaired and encoded for the table's encoder, once written.</summary>
    public JsonEncodedText Encoded;

    public bool HasEncoded;

    /// <summary>Marks the key as written in the current top-level object (see <see cref="KeySet"/>).</summary>
    public int Stamp;

    /// <summary>The keys of members (<c>Name</c> → <c>User.Name</c>), created on first use.</summary>
    public Dictionary<string, FlatKey>? Members;
}
