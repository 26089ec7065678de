namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>The <c>Authorization</c> header of a request: scheme and token. Holds a secret; never prints it.</summary>
internal sealed class Credential
{
    public Credential(string scheme, string value)
    {
        Scheme = scheme;
        Value = value;
    }

    public string Scheme { get; }

    public string Value { get; }

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
