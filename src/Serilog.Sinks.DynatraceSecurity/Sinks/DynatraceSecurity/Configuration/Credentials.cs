using System;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// How the sink authenticates: a fixed token (<c>accessToken</c>) or an OAuth client (<c>oauthClientId</c> and
/// <c>oauthClientSecret</c>), exactly one of them. What code or JSON configures wins; only when neither configures a
/// credential are the environment variables read, so that a credential is never put together from two places.
/// </summary>
internal sealed class Credentials
{
    Credentials(AccessToken? token, OAuthClient? oauthClient)
    {
        Token = token;
        OAuthClient = oauthClient;
    }

    /// <summary>The fixed access or platform token; null when an OAuth client is used.</summary>
    public AccessToken? Token { get; }

    /// <summary>The OAuth client; null when a fixed token is used.</summary>
    public OAuthClient? OAuthClient { get; }

    /// <summary>Chooses and validates the credentials; throws an <see cref="ArgumentException"/> that says what to fix.</summary>
    public static Credentials From(DynatraceSecurityOptions options, IngestTarget target)
    {
        var clientId = Configured(options.OAuthClientId);
        var secret = Configured(options.OAuthClientSecret);
        if (clientId != null || secret != null)
        {
            // A blank accessToken (a placeholder left in a file) is no second credential.
            if (Configured(options.AccessToken) != null)
                throw new ArgumentException(
                    "Both an access token (accessToken) and an OAuth client (oauthClientId, oauthClientSecret) are configured: " +
                    "keep one of them.",
                    nameof(options.AccessToken));
            return new Credentials(null, OAuthClient.Create(
                clientId ?? throw Missing("oauthClientId (OAuthClientId)", "oauthClientSecret", nameof(options.OAuthClientId)),
                secret ?? throw Missing("oauthClientSecret (OAuthClientSecret)", "oauthClientId", nameof(options.OAuthClientSecret)),
                options, target));
        }

        if (Configured(options.AccessToken) is { } token)
            return new Credentials(AccessToken.Parse(token), null);

        clientId = Configured(Environment.GetEnvironmentVariable(OAuthClient.ClientIdVariable));
        secret = Configured(Environment.GetEnvironmentVariable(OAuthClient.ClientSecretVariable));
        if (clientId == null && secret == null)
            return new Credentials(AccessToken.Parse(null), null);

        if (Configured(Environment.GetEnvironmentVariable(AccessToken.EnvironmentVariable)) != null)
            throw new ArgumentException(
                $"Both {AccessToken.EnvironmentVariable} and {OAuthClient.ClientIdVariable}/{OAuthClient.ClientSecretVariable} are set, " +
                "so it is unclear which credential to use: unset one of them, or pass accessToken, or oauthClientId and " +
                "oauthClientSecret, in code or configuration.",
                nameof(options.AccessToken));
        return new Credentials(null, OAuthClient.Create(
            clientId ?? throw Missing(OAuthClient.ClientIdVariable, OAuthClient.ClientSecretVariable, nameof(options.OAuthClientId)),
            secret ?? throw Missing(OAuthClient.ClientSecretVariable, OAuthClient.ClientIdVariable, nameof(options.OAuthClientSecret)),
            options, target));
    }

    static string? Configured(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    static ArgumentException Missing(string missing, string given, string parameter) => new(
        $"An OAuth client needs both a client id and a secret: {given} is set but {missing} is not. Configure both in one " +
        "place (code, configuration or the environment variables DT_CLIENT_ID and DT_CLIENT_SECRET; the environment is read " +
        "only when neither an access token nor an OAuth client is configured).",
        parameter);
}
