using System;
using System.Net;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// The validated URL that events are posted to, built from the environment URL, the route and the endpoint name.
/// </summary>
internal sealed class IngestTarget
{
    IngestTarget(Uri uri, bool isCustomEndpoint)
    {
        Uri = uri;
        IsCustomEndpoint = isCustomEndpoint;
    }

    public Uri Uri { get; }

    /// <summary>True for a custom ingest source (<c>endpoint</c> set), false for the built-in route.</summary>
    public bool IsCustomEndpoint { get; }

    /// <summary>The request path, used in diagnostics (never carries a secret).</summary>
    public string Path => Uri.AbsolutePath;

    public static IngestTarget Create(string? environmentUrl, DynatraceSecurityRoute route, string? endpoint)
    {
        var baseUri = ParseEnvironmentUrl(environmentUrl);
        ValidateEndpoint(endpoint);

        var routePath = (route, endpoint) switch
        {
            (DynatraceSecurityRoute.SecurityEvents, null) => "platform/ingest/v1/security.events",
            (DynatraceSecurityRoute.LegacyEventsSecurity, null) => "platform/ingest/v1/events.security",
            (DynatraceSecurityRoute.SecurityEvents, _) => "platform/ingest/custom/security.events/" + endpoint,
            (DynatraceSecurityRoute.LegacyEventsSecurity, _) => "platform/ingest/custom/events.security/" + endpoint,
            _ => throw new ArgumentOutOfRangeException(
                nameof(DynatraceSecuritySinkOptions.Route), route,
                "Unknown route: use SecurityEvents or LegacyEventsSecurity."),
        };

        // The base path (e.g. an ActiveGate's /e/{environment-id}) stays in front of the route.
        var basePath = baseUri.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(baseUri) { Path = basePath + "/" + routePath, Query = string.Empty, Fragment = string.Empty };
        return new IngestTarget(builder.Uri, endpoint != null);
    }

    static Uri ParseEnvironmentUrl(string? environmentUrl)
    {
        const string parameter = nameof(DynatraceSecuritySinkOptions.EnvironmentUrl);
        if (string.IsNullOrWhiteSpace(environmentUrl))
            throw new ArgumentException(
                "The Dynatrace environment URL is required, for example https://abc12345.live.dynatrace.com.", parameter);

        if (!Uri.TryCreate(environmentUrl!.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException(
                "The Dynatrace environment URL is not an absolute https URL; use the form https://abc12345.live.dynatrace.com.",
                parameter);

        // Before any message prints the URL: user information may hold a password.
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException(
                "The Dynatrace environment URL must not contain user information; pass the token as accessToken.", parameter);

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
            throw new ArgumentException(
                $"The Dynatrace environment URL '{uri.GetLeftPart(UriPartial.Authority)}' uses plain http to a host that is not loopback; " +
                "the access token and security events would cross the network unencrypted. Use https.",
                parameter);

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new ArgumentException(
                "The Dynatrace environment URL must not contain a query string or fragment (query parameters would become event attributes).",
                parameter);

        return uri;
    }

    /// <summary>localhost, 127.0.0.0/8 or ::1: the only hosts plain http may go to (a local receiver, a test).</summary>
    public static bool IsLoopback(Uri uri)
    {
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address);
    }

    static void ValidateEndpoint(string? endpoint)
    {
        if (endpoint == null)
            return;

        const string parameter = nameof(DynatraceSecuritySinkOptions.Endpoint);
        // OpenPipeline's rule: the name starts with a letter or digit, so a leading dot is refused too.
        var valid = endpoint.Length > 0 && endpoint[0] != '.' && endpoint[endpoint.Length - 1] != '.' &&
                    endpoint.IndexOf("..", StringComparison.Ordinal) < 0;
        foreach (var c in endpoint)
            valid &= c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.';

        if (!valid)
            throw new ArgumentException(
                $"The endpoint name '{endpoint}' is not a valid OpenPipeline custom ingest source name: use letters, digits and dots only, " +
                "starting with a letter or digit, with no '..' and no trailing dot (for example contoso.identity); pass null to use the built-in route.",
                parameter);
    }
}
