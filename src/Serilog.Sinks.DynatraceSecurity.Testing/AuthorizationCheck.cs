using System;
using System.Collections.Generic;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Checks <c>Authorization: Api-Token &lt;token&gt;</c> or <c>Authorization: Bearer &lt;token&gt;</c> (scheme
/// case-insensitive, token exact) against the accepted tokens and the OAuth tokens the receiver issued. Never echoes a
/// token in a message.
/// </summary>
internal static class AuthorizationCheck
{
    public const string ApiTokenScheme = "Api-Token";
    public const string BearerScheme = "Bearer";

    /// <summary>The scheme as sent: null without the header, empty when the value has no space (never the bare value).</summary>
    public static string? SchemeOf(IHeaderDictionary headers)
    {
        var values = headers.Authorization;
        if (values.Count == 0)
        {
            return null;
        }

        var value = values[0] ?? string.Empty;
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? string.Empty : value.Substring(0, space);
    }

    /// <summary>
    /// Null when the request carries an accepted token, or an OAuth token issued by <paramref name="issuer"/> that is
    /// still valid and carries <paramref name="permission"/>; otherwise the status (401, or 403 for a missing permission)
    /// and a message for the answer.
    /// </summary>
    public static (int Status, string Message)? Validate(IHeaderDictionary headers, IReadOnlyList<string> acceptedTokens, OAuthTokenIssuer issuer, string permission)
    {
        var problem = Validate(headers, acceptedTokens, out var bearer);
        if (problem is null)
        {
            return null;
        }

        // Not a configured token: an OAuth token (always sent as Bearer) is checked against what the endpoint issued.
        return bearer is null ? (401, problem) : issuer.Check(bearer, permission);
    }

    /// <summary>
    /// Null when the request carries an accepted token, otherwise a message for the 401 answer, with the token when it
    /// was sent as <c>Bearer</c> (it may be an OAuth token).
    /// </summary>
    static string? Validate(IHeaderDictionary headers, IReadOnlyList<string> acceptedTokens, out string? bearer)
    {
        bearer = null;
        var values = headers.Authorization;
        if (values.Count == 0)
        {
            return "Missing Authorization header. Send 'Authorization: Api-Token <token>' or 'Authorization: Bearer <token>'.";
        }

        if (values.Count > 1)
        {
            return "More than one Authorization header was sent.";
        }

        var value = values[0] ?? string.Empty;
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return "The Authorization header has no scheme. Send 'Api-Token <token>' or 'Bearer <token>'.";
        }

        var scheme = value.Substring(0, space);
        if (!scheme.Equals(ApiTokenScheme, StringComparison.OrdinalIgnoreCase)
            && !scheme.Equals(BearerScheme, StringComparison.OrdinalIgnoreCase))
        {
            return "Unsupported Authorization scheme; use 'Api-Token' or 'Bearer'.";
        }

        var token = value.Substring(space + 1).Trim();
        foreach (var accepted in acceptedTokens)
        {
            if (string.Equals(token, accepted, StringComparison.Ordinal))
            {
                return null;
            }
        }

        if (scheme.Equals(BearerScheme, StringComparison.OrdinalIgnoreCase) && token.Length > 0)
        {
            bearer = token;
        }

        return "The access token is missing or invalid.";
    }
}
