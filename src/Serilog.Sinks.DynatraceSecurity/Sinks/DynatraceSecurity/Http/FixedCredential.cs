using System.Threading;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Configuration;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>A configured access or platform token: the same credential for every request, nothing to renew.</summary>
internal sealed class FixedCredential : ICredentialSource
{
    readonly AccessToken _token;
    readonly CredentialResult _credential;

    public FixedCredential(AccessToken token)
    {
        _token = token;
        _credential = new CredentialResult(new Credential(token.Scheme, token.Value, generation: null));
    }

    public ValueTask<CredentialResult> GetAsync(CancellationToken cancellation) => new(_credential);

    // A fixed token carries no generation, so the policy never asks to discard it.
    public void Discard(long generation)
    {
    }

    public string Redact(string text) => _token.Redact(text);
}
