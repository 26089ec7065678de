using System;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// What one POST to the ingest endpoint produced, or the failed token request that kept it from being sent; what it
/// means is decided by <c>DeliveryPolicy</c>.
/// </summary>
internal sealed class IngestResult
{
    public static readonly IngestResult Accepted = new(202, null, null, null, false);

    IngestResult(int statusCode, string? message, TimeSpan? retryAfter, string? redirectHost, bool timedOut,
        bool fromTokenEndpoint = false, string? oauthError = null, bool reauthenticated = false)
    {
        Reauthenticated = reauthenticated;
        StatusCode = statusCode;
        Message = message;
        RetryAfter = retryAfter;
        RedirectHost = redirectHost;
        TimedOut = timedOut;
        FromTokenEndpoint = fromTokenEndpoint;
        OAuthError = oauthError;
    }

    /// <summary>The HTTP status; 0 when no response arrived (network error or timeout).</summary>
    public int StatusCode { get; }

    /// <summary>Dynatrace's error message, or what went wrong on the network (bounded, secrets removed).</summary>
    public string? Message { get; }

    public TimeSpan? RetryAfter { get; }

    /// <summary>The host a 3xx answer pointed to, or a handler followed a redirect to: never delivered; null for none.</summary>
    public string? RedirectHost { get; }

    public bool TimedOut { get; }

    /// <summary>
    /// True when no ingest request was sent because the OAuth token request failed: the other properties then describe
    /// the token request (and <see cref="StatusCode"/> may even be 2xx, for an answer without a usable token).
    /// </summary>
    public bool FromTokenEndpoint { get; }

    /// <summary>The token endpoint's OAuth <c>error</c> (<c>invalid_client</c>, <c>invalid_scope</c>, ...), when it gave one.</summary>
    public string? OAuthError { get; }

    /// <summary>True when this answers the request sent again with a new OAuth token after a 401.</summary>
    public bool Reauthenticated { get; }

    public bool IsSuccess => StatusCode is >= 200 and < 300 && RedirectHost == null && !FromTokenEndpoint;

    public static IngestResult Answered(int statusCode, string? message = null, TimeSpan? retryAfter = null, string? redirectHost = null) =>
        statusCode == 202 && message == null && retryAfter == null && redirectHost == null
            ? Accepted
            : new IngestResult(statusCode, message, retryAfter, redirectHost, false);

    public static IngestResult NoResponse(string message) => new(0, message, null, null, false);

    public static IngestResult Timeout() => new(0, null, null, null, true);

    public static IngestResult TokenFailure(int statusCode, string? message, string? oauthError = null, TimeSpan? retryAfter = null,
        string? redirectHost = null, bool timedOut = false) =>
        new(statusCode, message, retryAfter, redirectHost, timedOut, fromTokenEndpoint: true, oauthError: oauthError);

    public IngestResult AfterReauthentication() =>
        new(StatusCode, Message, RetryAfter, RedirectHost, TimedOut, FromTokenEndpoint, OAuthError, reauthenticated: true);

    public override string ToString() =>
        (FromTokenEndpoint ? "token request: " : "") +
        (TimedOut ? "timeout" : StatusCode == 0 ? Message ?? "no response" : StatusCode + (Message == null ? "" : ": " + Message));
}
