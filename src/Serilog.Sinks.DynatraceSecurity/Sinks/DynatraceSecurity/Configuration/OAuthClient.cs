using System;
using System.Net;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// The OAuth client the sink exchanges for short-lived bearer tokens (client-credentials grant): client id and secret,
/// the token endpoint, and the scope and resource it asks for, validated. Holds the secret; never prints it.
/// </summary>
internal sealed class OAuthClient
{
    internal const string ClientIdVariable = "DT_CLIENT_ID";
    internal const string ClientSecretVariable = "DT_CLIENT_SECRET";

    /// <summary>The permission an OAuth client needs for custom ingest endpoints.</summary>
    internal const string CustomEndpointPermission = "openpipeline:security.events.custom:ingest";

    /// <summary>The permission an OAuth client needs for the built-in ingest routes.</summary>
    internal const string BuiltInRoutePermission = "openpipeline:security.events:ingest";

    static readonly string[] ResourcePrefixes = { "urn:dtaccount:", "urn:dtenvironment:" };

    readonly string _formEncodedSecret;
    readonly string _urlEncodedSecret;

    OAuthClient(string clientId, string secret, Uri tokenUrl, string scope, string? resource)
    {
        ClientId = clientId;
        Secret = secret;
        TokenUrl = tokenUrl;
        Scope = scope;
        Resource = resource;
        // The secret as a form body carries it, in case an endpoint echoes the body back: FormUrlEncodedContent encodes
        // as Uri.EscapeDataString does (RFC 3986), other encoders as WebUtility.UrlEncode ('!', '(', ')', '*' differ).
        _formEncodedSecret = Uri.EscapeDataString(secret);
        _urlEncodedSecret = WebUtility.UrlEncode(secret);
    }

    /// <summary>The client id (<c>dt0s02.</c> and its public part): not a secret.</summary>
    public string ClientId { get; }

    public string Secret { get; }

    public Uri TokenUrl { get; }

    /// <summary>The permissions asked for, separated by single spaces.</summary>
    public string Scope { get; }

    /// <summary><c>urn:dtaccount:&lt;uuid&gt;</c> or <c>urn:dtenvironment:&lt;id&gt;</c>, or null to send no <c>resource</c>.</summary>
    public string? Resource { get; }

    /// <summary>
    /// Validates the client's settings; <paramref name="clientId"/> and <paramref name="secret"/> are given (from the
    /// options or the environment). Throws an <see cref="ArgumentException"/> that says what to fix, never with the secret.
    /// </summary>
    public static OAuthClient Create(string clientId, string secret, DynatraceSecurityOptions options, IngestTarget target)
    {
        clientId = clientId.Trim();
        secret = secret.Trim();
        RequireHeaderSafe(clientId, "The OAuth client id", "oauthClientId", nameof(options.OAuthClientId));
        RequireHeaderSafe(secret, "The OAuth client secret", "oauthClientSecret", nameof(options.OAuthClientSecret));
        var scope = string.IsNullOrWhiteSpace(options.OAuthScope)
            ? target.IsCustomEndpoint ? CustomEndpointPermission : BuiltInRoutePermission
            : ParseScope(options.OAuthScope!);
        var resource = string.IsNullOrWhiteSpace(options.OAuthResource) ? null : ParseResource(options.OAuthResource!);
        return new OAuthClient(clientId, secret, ParseTokenUrl(options.OAuthTokenUrl), scope, resource);
    }

    /// <summary>Replaces the secret in <paramref name="text"/>, as given and as a form body carries it.</summary>
    public string Redact(string text) =>
        Redaction.Redact(Redaction.Redact(Redaction.Redact(text, Secret), _formEncodedSecret), _urlEncodedSecret);

    public override string ToString() => "OAuth client " + ClientId + " (secret hidden)";

    static void RequireHeaderSafe(string value, string what, string parameter, string property)
    {
        if (value.Length == 0)
            throw new ArgumentException($"{what} is empty: pass {parameter} ({property}).", property);
        foreach (var c in value)
        {
            // A secret pasted with a line break, or with typographic characters, would fail every token request.
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c > '\u007e')
                throw new ArgumentException(
                    $"{what} contains a control, white-space or non-ASCII character; copy it again, as plain text, into " +
                    $"{parameter} ({property}).",
                    property);
        }
    }

    static Uri ParseTokenUrl(string? configured)
    {
        const string parameter = nameof(DynatraceSecurityOptions.OAuthTokenUrl);
        if (string.IsNullOrWhiteSpace(configured))
            return new Uri(DynatraceSecurityOptions.DefaultOAuthTokenUrl);

        if (!Uri.TryCreate(configured!.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException(
                $"oauthTokenUrl ({parameter}) is not an absolute https URL; leave it out for Dynatrace's " +
                DynatraceSecurityOptions.DefaultOAuthTokenUrl + ".",
                parameter);

        // Before any message prints the URL: user information may hold a password.
        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
            throw new ArgumentException(
                $"oauthTokenUrl ({parameter}) must not contain user information or a fragment; pass the client as " +
                "oauthClientId and oauthClientSecret.",
                parameter);

        if (uri.Scheme == Uri.UriSchemeHttp && !IngestTarget.IsLoopback(uri))
            throw new ArgumentException(
                $"oauthTokenUrl ({parameter}) '{uri.GetLeftPart(UriPartial.Authority)}' uses plain http to a host that is not loopback; " +
                "the client secret would cross the network unencrypted. Use https.",
                parameter);

        return uri;
    }

    static string ParseScope(string configured)
    {
        var permissions = configured.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        foreach (var permission in permissions)
        {
            foreach (var c in permission)
            {
                // RFC 6749, 3.3: a scope token is printable ASCII without '"' and '\'.
                if (c is < '\u0021' or > '\u007e' or '"' or '\\')
                    throw new ArgumentException(
                        $"oauthScope ({nameof(DynatraceSecurityOptions.OAuthScope)}) must hold permissions separated by spaces, such as " +
                        $"{CustomEndpointPermission}; it contains a character a permission cannot.",
                        nameof(DynatraceSecurityOptions.OAuthScope));
            }
        }

        return string.Join(" ", permissions);
    }

    static string ParseResource(string configured)
    {
        var resource = configured.Trim();
        var valid = false;
        foreach (var prefix in ResourcePrefixes)
            valid |= resource.Length > prefix.Length && resource.StartsWith(prefix, StringComparison.Ordinal);
        foreach (var c in resource)
            valid &= !char.IsControl(c) && !char.IsWhiteSpace(c);
        if (valid)
            return resource;

        throw new ArgumentException(
            $"oauthResource ({nameof(DynatraceSecurityOptions.OAuthResource)}) must be urn:dtaccount:<account-uuid> or " +
            "urn:dtenvironment:<environment-id> (the account's UUID is in Account Management's URL), or left out.",
            nameof(DynatraceSecurityOptions.OAuthResource));
    }
}
