using System;
using System.Linq;
using System.Net;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// How the sink authenticates, validated: a fixed token or an OAuth client, exactly one. What code or JSON configures
/// wins; only when neither configures a credential are the environment variables read, so that a credential is never
/// put together from two places. Holds the secrets, never prints them, and removes them from any text the sink reports
/// (<see cref="Redact(string)"/>). The rules for a secret and for a URL a secret is sent to live here.
/// </summary>
internal sealed class Credentials
{
    internal const string AccessTokenVariable = "DT_ACCESS_TOKEN";
    internal const string ClientIdVariable = "DT_CLIENT_ID";
    internal const string ClientSecretVariable = "DT_CLIENT_SECRET";

    internal const string CustomEndpointPermission = "openpipeline:security.events.custom:ingest";
    internal const string BuiltInRoutePermission = "openpipeline:security.events:ingest";

    const string Mask = "***";

    /// <summary>A cut shorter than this at the end of a text is taken as chance, not as the start of a secret.</summary>
    const int ShortestCut = 4;

    /// <summary>The shortest last part of a dt0 token taken as its secret part.</summary>
    const int ShortestSecretPart = 8;

    static readonly string[] ResourcePrefixes = { "urn:dtaccount:", "urn:dtenvironment:" };

    /// <summary>The token, or the client secret as given and as form bodies carry it.</summary>
    readonly string[] _secrets;

    Credentials(string tokenScheme, string token)
    {
        TokenScheme = tokenScheme;
        Token = token;
        _secrets = new[] { token };
    }

    Credentials(string clientId, string clientSecret, Uri tokenUrl, string scope, string? resource)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        TokenUrl = tokenUrl;
        Scope = scope;
        Resource = resource;
        // In case an endpoint echoes the form body back: FormUrlEncodedContent encodes as Uri.EscapeDataString does
        // (RFC 3986), other encoders as WebUtility.UrlEncode ('!', '(', ')', '*' differ).
        _secrets = new[] { clientSecret, Uri.EscapeDataString(clientSecret), WebUtility.UrlEncode(clientSecret) };
    }

    /// <summary><c>Api-Token</c> for a classic token (<c>dt0c01.</c>), otherwise <c>Bearer</c>; null for an OAuth client.</summary>
    public string? TokenScheme { get; }

    public string? Token { get; }

    public bool IsOAuth => ClientId != null;

    /// <summary>The OAuth client id (<c>dt0s02.</c> and its public part): not a secret.</summary>
    public string? ClientId { get; }

    public string? ClientSecret { get; }

    public Uri? TokenUrl { get; }

    /// <summary>The permissions asked for, separated by single spaces.</summary>
    public string? Scope { get; }

    /// <summary><c>urn:dtaccount:&lt;uuid&gt;</c> or <c>urn:dtenvironment:&lt;id&gt;</c>, or null to send no <c>resource</c>.</summary>
    public string? Resource { get; }

    /// <summary>Chooses and validates the credential; throws an <see cref="ArgumentException"/> that says what to fix, never with a secret.</summary>
    public static Credentials From(DynatraceSecurityOptions options, bool customEndpoint)
    {
        var clientId = Configured(options.OAuthClientId);
        var secret = Configured(options.OAuthClientSecret);
        // A blank accessToken (a placeholder left in a file) is no credential.
        var token = Configured(options.AccessToken);
        if (clientId != null || secret != null)
        {
            if (token != null)
                throw new ArgumentException(
                    "Both an access token (accessToken) and an OAuth client (oauthClientId, oauthClientSecret) are configured: " +
                    "keep one of them.",
                    nameof(options.AccessToken));
            return OAuthClient(
                clientId ?? throw Missing("oauthClientId (OAuthClientId)", "oauthClientSecret", nameof(options.OAuthClientId)),
                secret ?? throw Missing("oauthClientSecret (OAuthClientSecret)", "oauthClientId", nameof(options.OAuthClientSecret)),
                "oauthClientId (OAuthClientId)", "oauthClientSecret (OAuthClientSecret)", options, customEndpoint);
        }

        if (token != null)
            return FixedToken(token, "accessToken (AccessToken)");

        token = Configured(Environment.GetEnvironmentVariable(AccessTokenVariable));
        clientId = Configured(Environment.GetEnvironmentVariable(ClientIdVariable));
        secret = Configured(Environment.GetEnvironmentVariable(ClientSecretVariable));
        if (clientId == null && secret == null)
            return FixedToken(token ?? throw NoCredential(), AccessTokenVariable);

        if (token != null)
            throw new ArgumentException(
                $"Both {AccessTokenVariable} and {ClientIdVariable}/{ClientSecretVariable} are set, " +
                "so it is unclear which credential to use: unset one of them, or pass accessToken, or oauthClientId and " +
                "oauthClientSecret, in code or configuration.",
                nameof(options.AccessToken));
        return OAuthClient(
            clientId ?? throw Missing(ClientIdVariable, ClientSecretVariable, nameof(options.OAuthClientId)),
            secret ?? throw Missing(ClientSecretVariable, ClientIdVariable, nameof(options.OAuthClientSecret)),
            ClientIdVariable, ClientSecretVariable, options, customEndpoint);
    }

    /// <summary>
    /// What is wrong with a secret that goes into a header or a form (a value pasted with a line break or typographic
    /// characters would fail every request), or null.
    /// </summary>
    public static string? HeaderProblem(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
                return "a control or white-space character (for example a line break)";
            if (c > '\u007e')
                return "a character that is not ASCII (HTTP headers carry ASCII only, so every request would fail)";
        }

        return null;
    }

    /// <summary>
    /// The environment URL or the token endpoint: absolute https (http only to a loopback host), no user information
    /// (messages print the URL), no fragment, and for the environment URL no query string.
    /// </summary>
    public static Uri ParseUrl(string text, bool tokenUrl)
    {
        var (name, parameter, form, credential, exposed) = tokenUrl
            ? ($"oauthTokenUrl ({nameof(DynatraceSecurityOptions.OAuthTokenUrl)})", nameof(DynatraceSecurityOptions.OAuthTokenUrl),
                "leave it out for Dynatrace's " + DynatraceSecurityOptions.DefaultOAuthTokenUrl, "the client as oauthClientId and oauthClientSecret",
                "the client secret")
            : ("The Dynatrace environment URL", nameof(DynatraceSecurityOptions.EnvironmentUrl),
                "use the form https://abc12345.live.dynatrace.com", "the token as accessToken", "the access token and security events");

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"{name} is not an absolute https URL; {form}.", parameter);

        // Before any message prints the URL.
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException($"{name} must not contain user information; pass {credential}.", parameter);

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
            throw new ArgumentException(
                $"{name} '{uri.GetLeftPart(UriPartial.Authority)}' uses plain http to a host that is not loopback; {exposed} would " +
                "cross the network unencrypted. Use https.",
                parameter);

        if (!string.IsNullOrEmpty(uri.Fragment) || (!tokenUrl && !string.IsNullOrEmpty(uri.Query)))
            throw new ArgumentException(
                tokenUrl
                    ? $"{name} must not contain a fragment."
                    : $"{name} must not contain a query string or fragment (query parameters would become event attributes).",
                parameter);

        return uri;
    }

    static bool IsLoopback(Uri uri) =>
        string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
            text = Redact(text, secret);
        return text;
    }

    /// <summary>
    /// Removes every occurrence of <paramref name="secret"/>, and the start of one cut off at the end of the text (an
    /// error body is read only up to a bound and may end inside an echo).
    /// </summary>
    public static string Redact(string text, string secret)
    {
        if (secret.Length == 0)
            return text;
        if (text.IndexOf(secret, StringComparison.Ordinal) >= 0)
            text = text.Replace(secret, Mask);
        // A Dynatrace token or client secret (dt0c01.PUBLIC.SECRET) is secret in its last part alone: an echo of only
        // that part is removed too.
        var dot = secret.StartsWith("dt0", StringComparison.Ordinal) ? secret.LastIndexOf('.') : -1;
        if (dot > 0 && secret.Length - dot - 1 >= ShortestSecretPart && text.IndexOf(secret.Substring(dot + 1), StringComparison.Ordinal) >= 0)
            text = text.Replace(secret.Substring(dot + 1), Mask);
        for (var length = Math.Min(secret.Length - 1, text.Length); length >= ShortestCut; length--)
        {
            if (string.CompareOrdinal(text, text.Length - length, secret, 0, length) == 0)
                return text.Substring(0, text.Length - length) + Mask;
        }

        return text;
    }

    public override string ToString() => IsOAuth ? "OAuth client " + ClientId + " (secret hidden)" : TokenScheme + " " + Mask;

    static Credentials FixedToken(string token, string source)
    {
        RequireHeaderSafe(token, "The Dynatrace access token", source, nameof(DynatraceSecurityOptions.AccessToken));
        return new Credentials(token.StartsWith("dt0c01.", StringComparison.Ordinal) ? "Api-Token" : "Bearer", token);
    }

    static Credentials OAuthClient(string clientId, string secret, string clientIdSource, string secretSource,
        DynatraceSecurityOptions options, bool customEndpoint)
    {
        RequireHeaderSafe(clientId, "The OAuth client id", clientIdSource, nameof(options.OAuthClientId));
        RequireHeaderSafe(secret, "The OAuth client secret", secretSource, nameof(options.OAuthClientSecret));
        var tokenUrl = options.OAuthTokenUrl is { } url && url.Trim().Length > 0
            ? ParseUrl(url, tokenUrl: true)
            : new Uri(DynatraceSecurityOptions.DefaultOAuthTokenUrl);
        var scope = Configured(options.OAuthScope) is { } configuredScope
            ? ParseScope(configuredScope)
            : customEndpoint ? CustomEndpointPermission : BuiltInRoutePermission;
        var resource = Configured(options.OAuthResource) is { } configuredResource ? ParseResource(configuredResource) : null;
        return new Credentials(clientId, secret, tokenUrl, scope, resource);
    }

    static void RequireHeaderSafe(string value, string what, string source, string parameter)
    {
        if (HeaderProblem(value) is { } problem)
            throw new ArgumentException($"{what} contains {problem}; copy it again, as plain text, into {source}.", parameter);
    }

    static string ParseScope(string configured)
    {
        var permissions = configured.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        // RFC 6749, 3.3: a scope token is printable ASCII without '"' and '\'.
        if (permissions.Any(permission => permission.Any(c => c is < '\u0021' or > '\u007e' or '"' or '\\')))
            throw new ArgumentException(
                $"oauthScope ({nameof(DynatraceSecurityOptions.OAuthScope)}) must hold permissions separated by spaces, such as " +
                $"{CustomEndpointPermission}; it contains a character a permission cannot.",
                nameof(DynatraceSecurityOptions.OAuthScope));
        return string.Join(" ", permissions);
    }

    static string ParseResource(string resource)
    {
        if (ResourcePrefixes.Any(prefix => resource.Length > prefix.Length && resource.StartsWith(prefix, StringComparison.Ordinal)) &&
            !resource.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            return resource;

        throw new ArgumentException(
            $"oauthResource ({nameof(DynatraceSecurityOptions.OAuthResource)}) must be urn:dtaccount:<account-uuid> or " +
            "urn:dtenvironment:<environment-id> (the account's UUID is in Account Management's URL), or left out.",
            nameof(DynatraceSecurityOptions.OAuthResource));
    }

    static string? Configured(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    static ArgumentException NoCredential() => new(
        "No Dynatrace access token or OAuth client: pass accessToken (AccessToken), or oauthClientId and oauthClientSecret (OAuthClientId, " +
        $"OAuthClientSecret) for an OAuth client, or set the environment variable {AccessTokenVariable}, or {ClientIdVariable} and " +
        $"{ClientSecretVariable}. A classic token needs the scope openpipeline.events_security.custom; an OAuth client or platform " +
        $"token the permission {CustomEndpointPermission}.",
        nameof(DynatraceSecurityOptions.AccessToken));

    static ArgumentException Missing(string missing, string given, string parameter) => new(
        $"An OAuth client needs both a client id and a secret: {given} is set but {missing} is not. Configure both in one " +
        $"place (code, configuration or the environment variables {ClientIdVariable} and {ClientSecretVariable}; the environment " +
        "is read only when neither an access token nor an OAuth client is configured).",
        parameter);
}
