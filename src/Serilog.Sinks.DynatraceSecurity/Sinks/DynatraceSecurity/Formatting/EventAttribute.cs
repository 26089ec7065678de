namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// An attribute the sink adds to every event (a static attribute), with what is known about it once: its key as
/// written and whether it is redacted.
/// </summary>
internal sealed class EventAttribute
{
    public EventAttribute(string key, string value, bool redacted)
    {
        Key = key;
        WrittenKey = SafeText.Repair(key);
        Value = value;
        Redacted = redacted;
    }

    /// <summary>The key as given: what uniqueness and precedence are decided on.</summary>
    public string Key { get; }

    public string WrittenKey { get; }

    public string Value { get; }

    public bool Redacted { get; }
}
