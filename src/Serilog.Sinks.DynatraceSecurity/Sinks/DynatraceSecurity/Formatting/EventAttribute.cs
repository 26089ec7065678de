namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// An attribute the sink adds to every event (a static attribute or one read from Dynatrace's enrichment files), with
/// what is known about it once: its key as written and whether it is redacted.
/// </summary>
internal sealed class EventAttribute
{
    public EventAttribute(string key, object? value, bool redacted)
    {
        Key = key;
        WrittenKey = SafeText.Repair(key);
        Value = value;
        Redacted = redacted;
    }

    /// <summary>The key as given: what uniqueness and precedence are decided on.</summary>
    public string Key { get; }

    public string WrittenKey { get; }

    /// <summary>A string, or a number or boolean from an enrichment file, written with its JSON type.</summary>
    public object? Value { get; }

    public bool Redacted { get; }
}
