using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// One request to the receiver's OAuth token endpoint (<see cref="DynatraceIngestReceiver.OAuthTokenUrl"/>), answered or
/// not, with the status it answered and the token it issued.
/// </summary>
public sealed class ReceivedTokenRequest
{
    internal ReceivedTokenRequest(
        DateTimeOffset receivedAt,
        HttpRequest request,
        IReadOnlyDictionary<string, string> form,
        int statusCode,
        string? error,
        string? issuedToken)
    {
        ReceivedAt = receivedAt;
        Method = request.Method;
        Headers = ReceivedRequest.CopyHeaders(request.Headers);
        Form = form;
        StatusCode = statusCode;
        Error = error;
        IssuedToken = issuedToken;
    }

    /// <summary>When the request arrived (UTC).</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The HTTP method, for example <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The request headers with case-insensitive names; repeated values are joined with <c>", "</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>
    /// The form fields as sent (<c>grant_type</c>, <c>client_id</c>, <c>client_secret</c>, <c>scope</c>, <c>resource</c>,
    /// ...), decoded; empty when the body was not a form. This includes <c>client_secret</c>, so that tests can check what
    /// was sent; <see cref="ToString"/> never shows it.
    /// </summary>
    public IReadOnlyDictionary<string, string> Form { get; }

    /// <summary>The HTTP status code the receiver answered, or 0 when the connection was dropped or aborted without an answer.</summary>
    public int StatusCode { get; }

    /// <summary>The OAuth <c>error</c> the receiver answered (such as <c>invalid_client</c>), or null when it issued a token.</summary>
    public string? Error { get; }

    /// <summary>The access token the receiver issued, or null when it issued none.</summary>
    public string? IssuedToken { get; }

    /// <summary>Method, status, OAuth error, client id and scope. Never includes the client secret or a token.</summary>
    /// <returns>A short description such as <c>POST /sso/oauth2/token -&gt; 200 (client dt0s02.X, scope a:b:c)</c>.</returns>
    public override string ToString()
    {
        var status = StatusCode == 0 ? "dropped" : StatusCode.ToString(CultureInfo.InvariantCulture);
        var error = Error is null ? string.Empty : " " + Error;
        Form.TryGetValue("client_id", out var clientId);
        Form.TryGetValue("scope", out var scope);
        return $"{Method} {DynatraceIngestReceiver.OAuthTokenPath} -> {status}{error} (client {clientId ?? "none"}, scope {scope ?? "none"})";
    }
}
