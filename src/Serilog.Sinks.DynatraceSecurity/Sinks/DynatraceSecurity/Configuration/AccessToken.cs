using System;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// The access token and the authorization scheme it is sent with. Holds the secret; never prints it.
/// </summary>
internal sealed class AccessToken
{
    internal const string EnvironmentVariable = "DT_ACCESS_TOKEN";
    const string ClassicTokenPrefix = "dt0c01.";

    AccessToken(string scheme, string value)
    {
        Scheme = scheme;
        Value = value;
    }

    /// <summary><c>Api-Token</c> for classic tokens (<c>dt0c01.</c>), otherwise <c>Bearer</c>.</summary>
    public string Scheme { get; }

    public string Value { get; }

    public static AccessToken Parse(string? configured)
    {
        var token = configured ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (token == null || token.Trim().Length == 0)
            throw new ArgumentException(
                "No Dynatrace access token or OAuth client: pass accessToken (AccessToken), or oauthClientId and oauthClientSecret (OAuthClientId, " +
                "OAuthClientSecret) for an OAuth client, or set the environment variable " + EnvironmentVariable + ", or " +
                OAuthClient.ClientIdVariable + " and " + OAuthClient.ClientSecretVariable + ". A classic token needs the scope " +
                "openpipeline.events_security.custom; an OAuth client or platform token the permission " + OAuthClient.CustomEndpointPermission + ".",
                nameof(DynatraceSecuritySinkOptions.AccessToken));

        token = token.Trim();
        foreach (var c in token)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
                throw new ArgumentException(
                    "The Dynatrace access token contains a control or white-space character (for example a line break); " +
                    "copy the token again without them.",
                    nameof(DynatraceSecuritySinkOptions.AccessToken));
            if (c > '\u007e')
                throw new ArgumentException(
                    "The Dynatrace access token contains a character that is not ASCII (HTTP headers carry ASCII only, so " +
                    "every request would fail); copy the token again, as plain text.",
                    nameof(DynatraceSecuritySinkOptions.AccessToken));
        }

        var scheme = token.StartsWith(ClassicTokenPrefix, StringComparison.Ordinal) ? "Api-Token" : "Bearer";
        return new AccessToken(scheme, token);
    }

    /// <summary>Replaces every occurrence of the token in <paramref name="text"/>, such as an echoed header.</summary>
    public string Redact(string text) => Redaction.Redact(text, Value);

    public override string ToString() => Scheme + " ***";
}
