namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>The <c>Authorization</c> header of a request: scheme and token. Holds a secret; never prints it.</summary>
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
    /// Which of a renewable source's tokens this is, so that a 401 discards this one and not a newer one another caller
    /// fetched meanwhile; null for a fixed token, which renewing cannot change.
    /// </summary>
    public long? Generation { get; }

    public override string ToString() => Scheme + " ***";
}

/// <summary>A credential, or the failed token request that left the request without one.</summary>
internal readonly struct CredentialResult
{
    public CredentialResult(Credential credential)
    {
        Credential = credential;
        Failure = null;
    }

    public CredentialResult(IngestResult failure)
    {
        Credential = null;
        Failure = failure;
    }

    public Credential? Credential { get; }

    public IngestResult? Failure { get; }
}
