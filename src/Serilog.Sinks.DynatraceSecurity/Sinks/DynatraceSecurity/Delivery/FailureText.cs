using System;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Http;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// Every description of a failed request, and the hint on what to fix, built in one place for the batched and the
/// audit sink. Never contains the token or the client secret (results arrive with them removed) or a payload.
/// </summary>
internal sealed class FailureText
{
    readonly bool _customEndpoint;
    readonly TimeSpan _requestTimeout;
    readonly Credentials? _oauth;

    public FailureText(SinkSettings settings)
    {
        Route = settings.Target.AbsolutePath;
        _customEndpoint = settings.IsCustomEndpoint;
        _requestTimeout = settings.RequestTimeout;
        _oauth = settings.Credentials.IsOAuth ? settings.Credentials : null;
    }

    public string Route { get; }

    string Permission => _customEndpoint ? Credentials.CustomEndpointPermission : Credentials.BuiltInRoutePermission;

    /// <summary>What happened, e.g. <c>503 from POST /platform/...: Dynatrace's message</c>.</summary>
    public string Describe(IngestResult result)
    {
        if (result.FromTokenEndpoint)
            return DescribeTokenRequest(result);
        if (result.TimedOut)
            return $"POST {Route} got no response within {_requestTimeout.TotalSeconds:0.###} s (requestTimeout)";
        if (result.StatusCode == 0)
            return $"POST {Route} failed: {result.Message ?? "no response"}";
        if (result.RedirectHost != null && result.StatusCode is < 300 or >= 400)
            return $"POST {Route} was redirected to {result.RedirectHost} by the HTTP handler and answered {result.StatusCode} there; not counted as delivered";
        return $"{result.StatusCode} from POST {Route}" + (result.Message == null ? "" : ": " + result.Message);
    }

    /// <summary>What happened to a token request, e.g. <c>401 from POST https://sso.../token: invalid_client: ...</c>.</summary>
    string DescribeTokenRequest(IngestResult result)
    {
        var request = "POST " + (_oauth?.TokenUrl!.GetLeftPart(UriPartial.Path) ?? "(token endpoint)");
        if (result.TimedOut)
            return $"The token request {request} got no response within {_requestTimeout.TotalSeconds:0.###} s (requestTimeout); " +
                $"nothing was sent to {Route}";
        if (result.StatusCode == 0)
            return $"The token request {request} failed: {result.Message ?? "no response"}; nothing was sent to {Route}";
        if (result.RedirectHost != null)
            return $"The token request {request} was redirected ({result.StatusCode}) to {result.RedirectHost}; " +
                "redirects are never followed";
        return $"{result.StatusCode} from the token request {request}" + (result.Message == null ? "" : ": " + result.Message);
    }

    /// <summary>A failure as a health check reports it: what happened, and what to check or that the sink retries.</summary>
    public string Outcome(FailureClass failureClass, IngestResult result) =>
        Describe(result) + (failureClass == FailureClass.Transient
            ? " — a failure that may pass: the sink retries (with backoff, within retryTimeLimit, or from the durable buffer)"
            : Hint(failureClass, result));

    /// <summary>A sanitized exception for the failure listener, carrying <see cref="Describe"/>.</summary>
    public Exception ToException(IngestResult result) => new DynatraceIngestException(Describe(result), result.StatusCode);

    /// <summary>The hint for a failure given up: what was in doubt stays in doubt, what to check stays the same.</summary>
    public string GiveUpHint(FailureClass failureClass, IngestResult result) => failureClass == FailureClass.TooLargeUnproven
        ? " — refused as too large although the endpoint accepted requests as large, or the event is far below any ingest limit"
        : Hint(failureClass, result);

    /// <summary>What to check, for failures an operator can fix; empty otherwise.</summary>
    public string Hint(FailureClass failureClass, IngestResult result)
    {
        if (failureClass == FailureClass.TooLargeUnproven)
            return " — the endpoint has accepted requests this large, or it holds a single event, so it is tried again before it counts as too large";
        if (failureClass != FailureClass.Configuration)
            return "";
        if (result.FromTokenEndpoint)
            return TokenHint(result);
        if (result.RedirectHost != null)
            return $" — the endpoint redirects to {result.RedirectHost}: use the final URL as environmentUrl (redirects are never " +
                "followed, so that the token and the events go only to the host you configured)";
        return result.StatusCode switch
        {
            401 when _oauth != null => $" — the endpoint refused a new OAuth token too: check that the OAuth client is granted {Permission} " +
                "for this environment (oauthResource names the account or environment the token is for)",
            401 => " — check the access token: it is missing, expired or revoked",
            403 => _customEndpoint
                ? " — check the token's permissions: a classic access token needs the scope openpipeline.events_security.custom, " +
                  "a platform token or OAuth client the permission openpipeline:security.events.custom:ingest"
                : " — check the token's permissions: a classic access token needs the scope openpipeline.events_security, " +
                  "a platform token or OAuth client the permission openpipeline:security.events:ingest",
            _ => _customEndpoint
                ? " — check the endpoint name and route: the custom ingest source may not exist in OpenPipeline yet"
                : " — check the environment URL and route",
        };
    }

    /// <summary>What to check when the token endpoint refused the OAuth client's request; never the secret.</summary>
    string TokenHint(IngestResult result)
    {
        var everything = $"check oauthClientId, oauthClientSecret, oauthScope ('{_oauth?.Scope}'), oauthResource, and that the OAuth " +
            $"client is granted {Permission} for the account or environment";
        if (result.RedirectHost != null)
            return $" — the token endpoint redirects to {result.RedirectHost}: use the final URL as oauthTokenUrl (redirects are never " +
                "followed, so that the client secret goes only to the host you configured)";
        if (result.StatusCode is >= 200 and < 300 or 404 or 405)
            return " — check oauthTokenUrl: it does not answer like an OAuth token endpoint (leave it out for " +
                DynatraceSecurityOptions.DefaultOAuthTokenUrl + ")";
        return result.OAuthError switch
        {
            "invalid_client" => " — check oauthClientId and oauthClientSecret: the client is unknown, deleted, or its secret is wrong " +
                "(a secret is shown only once, when the client is created); " + everything,
            null when result.StatusCode == 401 => " — check oauthClientId and oauthClientSecret; " + everything,
            "invalid_scope" => $" — check oauthScope: the OAuth client must be granted every permission it asks for ('{_oauth?.Scope}'); " +
                $"this route needs {Permission}",
            "unauthorized_client" or "access_denied" =>
                $" — the OAuth client may not get these permissions: grant it {Permission}; " + everything,
            _ => " — " + everything,
        };
    }
}
