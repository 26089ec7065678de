using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// Where the <c>Authorization</c> header of every ingest request comes from: a fixed token, or the short-lived tokens an
/// OAuth client is issued. The transport asks it once per request, so renewing is the source's business, not the
/// transport's. Never prints a secret.
/// </summary>
internal interface ICredentialSource
{
    /// <summary>
    /// The credential for the next request. A failed token request comes back as a failure result that
    /// <c>DeliveryPolicy</c> decides on, never as an exception; <paramref name="cancellation"/> (the request's timeout)
    /// ends the wait with a timeout result.
    /// </summary>
    ValueTask<CredentialResult> GetAsync(CancellationToken cancellation);

    /// <summary>
    /// Forgets the credential of <paramref name="generation"/> after the endpoint refused it (401), so that the next
    /// request gets a new one. Does nothing when that credential has been replaced already.
    /// </summary>
    void Discard(long generation);

    /// <summary>Replaces every secret the source holds (token, client secret, issued tokens) in <paramref name="text"/>.</summary>
    string Redact(string text);
}
