namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// An attribute the sink adds to every event (a static attribute or one read from Dynatrace's enrichment files), with
/// what is known about it once: its name as written and whether it is redacted.
/// </summary>
internal sealed class EventAttribute
{
    public EventAttribute(string key, string writtenName, object? value, bool redacted)
    {
        Key = key;
        WrittenName = writtenName;
        JsonName = ValueWriter.Repair(writtenName);
        Value = value;
        Redacted = redacted;
    }

    /// <summary>The key as given: which built-in field it gives, if any.</summary>
    public string Key { get; }

    /// <summary>The name it is written under (prefixed when under a reserved namespace): what uniqueness is decided on.</summary>
    public string WrittenName { get; }

    /// <summary><see cref="WrittenName"/>, safe to write as JSON.</summary>
    public string JsonName { get; }

    /// <summary>A string, or a number or boolean from an enrichment file, written with its JSON type.</summary>
    public object? Value { get; }

    public bool Redacted { get; }
}
