using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Settings for a <see cref="DynatraceIngestReceiver"/>. The receiver takes a copy when it starts;
/// changing the options afterwards has no effect on a running receiver.
/// </summary>
public sealed class DynatraceIngestReceiverOptions
{
    /// <summary>
    /// Access tokens the receiver accepts, sent as <c>Authorization: Api-Token &lt;token&gt;</c> or
    /// <c>Authorization: Bearer &lt;token&gt;</c> (compared exactly, case-sensitive). Initially holds
    /// <see cref="DynatraceIngestReceiver.DefaultAccessToken"/>. Must hold at least one non-blank token without whitespace.
    /// The first one becomes <see cref="DynatraceIngestReceiver.AccessToken"/>.
    /// </summary>
    public IList<string> AcceptedTokens { get; } = new List<string> { DynatraceIngestReceiver.DefaultAccessToken };

    /// <summary>
    /// Custom endpoint names that exist (compared case-insensitively). <see langword="null"/> (the default) means every
    /// syntactically valid endpoint name exists; otherwise a request to a valid name not in this list is answered 404.
    /// Each entry must itself be a valid endpoint name (letters, digits and dots, starting with a letter or digit; no <c>..</c>;
    /// no trailing dot).
    /// </summary>
    public IList<string>? Endpoints { get; set; }

    /// <summary>
    /// The largest request body, in bytes, the receiver accepts; a larger body is answered 413. Default 10 MiB.
    /// Must be positive. The receiver never buffers more than this plus one byte of a request body.
    /// </summary>
    public long MaxRequestBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Whether bodies sent with <c>Content-Encoding: gzip</c> are accepted (decoded, then checked like any body; the
    /// size limit applies to the decoded bytes). <see langword="false"/> (the default) answers any content encoding
    /// other than <c>identity</c> with 400, because Dynatrace does not document compressed OpenPipeline ingest.
    /// </summary>
    public bool AcceptGzip { get; set; }

    /// <summary>
    /// Whether each event must carry the nine fields Dynatrace's Threats &amp; Exploits app needs to show a finding:
    /// <c>event.id</c>, <c>event.provider</c>, <c>finding.type</c>, <c>finding.id</c>, <c>finding.time.created</c>,
    /// <c>finding.title</c>, <c>dt.security.risk.level</c>, <c>object.id</c> and <c>object.type</c>, each present, not
    /// null and not an empty string. <see langword="true"/> (the default) answers a request holding an event without
    /// them with 400 as a whole, saying which are missing, so that tests catch events the app would hide. Dynatrace's
    /// ingest itself accepts such events: set <see langword="false"/> to check only the ingest contract.
    /// </summary>
    public bool RequireSecurityAppFields { get; set; } = true;

    /// <summary>
    /// The client id the token endpoint (<see cref="DynatraceIngestReceiver.OAuthTokenUrl"/>) issues tokens to, with
    /// <see cref="OAuthClientSecret"/>. Initially <see cref="DynatraceIngestReceiver.DefaultOAuthClientId"/>. Must not be
    /// blank or contain whitespace.
    /// </summary>
    public string OAuthClientId { get; set; } = DynatraceIngestReceiver.DefaultOAuthClientId;

    /// <summary>
    /// The client secret the token endpoint expects with <see cref="OAuthClientId"/>. Initially
    /// <see cref="DynatraceIngestReceiver.DefaultOAuthClientSecret"/>. Must not be blank or contain whitespace.
    /// </summary>
    public string OAuthClientSecret { get; set; } = DynatraceIngestReceiver.DefaultOAuthClientSecret;

    /// <summary>
    /// How long an issued access token is valid, 1 second to 1 day; its <c>expires_in</c> is this in whole seconds.
    /// Default 5 minutes, as Dynatrace's. After it, the ingest routes answer the token with 401.
    /// </summary>
    public TimeSpan OAuthTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The permissions the OAuth client is granted: a token request asking for any other <c>scope</c> is answered 400
    /// <c>invalid_scope</c>. Initially <c>openpipeline:security.events.custom:ingest</c> (which the custom-endpoint routes
    /// need) and <c>openpipeline:security.events:ingest</c> (the built-in routes); a token without the permission its
    /// route needs is answered 403.
    /// </summary>
    public IList<string> OAuthScopes { get; } = new List<string>
    {
        DynatraceIngestReceiver.CustomRoutesPermission,
        DynatraceIngestReceiver.BuiltInRoutesPermission,
    };

    /// <summary>
    /// An extra check of each event, after the contract checks: return <see langword="null"/> when the event is
    /// acceptable, or a message saying what is wrong with it. A request holding any rejected event is answered 400
    /// as a whole, with that message, and none of its events is recorded (Dynatrace documents no partial acceptance).
    /// </summary>
    public Func<JsonElement, string?>? ValidateEvent { get; set; }

    /// <summary>
    /// A copy for a starting receiver, so that later changes have no effect, after checking that every setting can take
    /// effect (a receiver that cannot should fail at start, saying what to fix, not answer oddly later).
    /// </summary>
    internal DynatraceIngestReceiverOptions CheckedCopy()
    {
        var copy = new DynatraceIngestReceiverOptions
        {
            Endpoints = Endpoints?.ToList(),
            MaxRequestBytes = MaxRequestBytes,
            AcceptGzip = AcceptGzip,
            RequireSecurityAppFields = RequireSecurityAppFields,
            OAuthClientId = OAuthClientId,
            OAuthClientSecret = OAuthClientSecret,
            OAuthTokenLifetime = OAuthTokenLifetime,
            ValidateEvent = ValidateEvent,
        };
        copy.AcceptedTokens.Clear();
        copy.OAuthScopes.Clear();
        foreach (var token in AcceptedTokens)
        {
            copy.AcceptedTokens.Add(token);
        }

        foreach (var scope in OAuthScopes)
        {
            copy.OAuthScopes.Add(scope);
        }

        if (copy.AcceptedTokens.Count == 0)
        {
            throw new ArgumentException("AcceptedTokens must hold at least one token.", "options");
        }

        if (copy.AcceptedTokens.Any(Unusable))
        {
            throw new ArgumentException("AcceptedTokens must not hold null, blank or whitespace-containing tokens.", "options");
        }

        var nameProblem = copy.Endpoints?.Select(IngestRequestHandler.EndpointNameProblem).FirstOrDefault(problem => problem is not null);
        if (nameProblem is not null)
        {
            throw new ArgumentException($"Endpoints holds an invalid endpoint name: {nameProblem}", "options");
        }

        if (MaxRequestBytes <= 0 || MaxRequestBytes >= int.MaxValue)
        {
            throw new ArgumentException("MaxRequestBytes must be positive and less than 2 GiB.", "options");
        }

        RequireCredential(OAuthClientId, nameof(OAuthClientId));
        RequireCredential(OAuthClientSecret, nameof(OAuthClientSecret));
        if (OAuthTokenLifetime < TimeSpan.FromSeconds(1) || OAuthTokenLifetime > TimeSpan.FromDays(1))
        {
            throw new ArgumentException("OAuthTokenLifetime must be between 1 second and 1 day.", "options");
        }

        foreach (var scope in copy.OAuthScopes)
        {
            RequireCredential(scope, nameof(OAuthScopes));
        }

        return copy;
    }

    static void RequireCredential(string? value, string name)
    {
        if (Unusable(value))
        {
            throw new ArgumentException($"{name} must not be blank or contain whitespace.", "options");
        }
    }

    /// <summary>A token, client id, secret or scope is sent in a header or form field, where white space would split it.</summary>
    static bool Unusable(string? credential) => string.IsNullOrWhiteSpace(credential) || credential.Any(char.IsWhiteSpace);
}
