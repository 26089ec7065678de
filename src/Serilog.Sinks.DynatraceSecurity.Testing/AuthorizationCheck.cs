using System;
using System.Collections.Generic;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Checks <c>Authorization: Api-Token &lt;token&gt;</c> or <c>Authorization: Bearer &lt;token&gt;</c> (scheme
/// case-insensitive, token exact) against the accepted tokens. Never echoes a token in a message.
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

    /// <summary>Null when the request carries an accepted token, otherwise a message for the 401 answer.</summary>
    public static string? Validate(IHeaderDictionary headers, IReadOnlyList<string> acceptedTokens)
    {
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

        return "The access token is missing or invalid.";
    }
}
