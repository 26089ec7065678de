namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// The <c>Authorization</c> of a request (scheme and token), or the failed token request that left it without one.
/// Holds a secret; never prints it.
/// </summary>
internal sealed class Credential
{
    public Credential(string scheme, string value, long? generation)
    {
        Scheme = scheme;
        Value = value;
        Generation = generation;
    }

    public string Scheme { get; }

    public string Value { get; }

    /// <summary>
    /// Which of an OAuth client's tokens this is, so that a 401 discards this one and not a newer one another caller
    /// fetched meanwhile; null for a fixed token, which renewing cannot change.
    /// </summary>
    public long? Generation { get; }

    /// <summary>The failed token request, for <c>DeliveryPolicy</c>; null when this is a credential.</summary>
    public IngestResult? Failure { get; private set; }

    public static Credential Failed(IngestResult failure) => new("", "", null) { Failure = failure };

    public override string ToString() => Failure != null ? "no credential: " + Failure : Scheme + " ***";
}
