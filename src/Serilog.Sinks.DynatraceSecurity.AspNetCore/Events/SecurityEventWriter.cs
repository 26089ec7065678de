using System.Collections.Generic;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;

using ILogger = Microsoft.Extensions.Logging.ILogger;

/// <summary>
/// Writes the events of a request: one method per kind of event, each composing its title; every event carries the
/// request's fields (caller, endpoint, user agent, user) and is written as an <see cref="ILogger"/> event inside a
/// security scope. At most one event of each kind per request; flood control decides whether it is written or counted.
/// Client-supplied text (path, user agent, user name) only ever goes into attributes, never into a message template.
/// </summary>
internal sealed class SecurityEventWriter
{
    const int MaxUserAgentLength = 256;

    static readonly object ItemsKey = new();

    readonly ILogger _logger;
    readonly FloodControl _flood;

    public SecurityEventWriter(ILoggerFactory loggers, FloodControl flood)
    {
        _logger = loggers.CreateLogger(Findings.Category);
        _flood = flood;
    }

    /// <summary>A failed sign-in; <paramref name="userName"/> is null for an unknown account, whose name is never sent.</summary>
    public void LoginFailed(HttpContext http, string? userName, string reason) =>
        Write(http, Findings.LoginFail, LogLevel.Warning,
            $"Failed sign-in for {userName ?? "an unknown account"} ({reason})", reason, userName);

    public void AccountLocked(HttpContext http, string userName) =>
        Write(http, Findings.LoginLock, LogLevel.Warning, $"Account {userName} locked after failed sign-ins", "maxretries", userName);

    public void CredentialRejected(HttpContext http, string scheme, string reason) =>
        Write(http, Findings.TokenInvalid, reason == CredentialFailure.Expired ? LogLevel.Information : LogLevel.Warning,
            $"Rejected {scheme} credential ({reason}) on {Endpoint(http)}", reason, userName: null,
            "aspnetcore.authentication.scheme", scheme);

    public void AccessDenied(HttpContext http, string? policies)
    {
        var user = UserName(http.User);
        Write(http, Findings.AuthorizationFail, LogLevel.Error,
            $"{user ?? "An authenticated user"} was denied access to {Endpoint(http)}", reason: null, user,
            "aspnetcore.authorization.policy", policies);
    }

    public void RateLimited(HttpContext http, string result, string? policy) =>
        Write(http, Findings.RateLimitExceeded, LogLevel.Warning, $"Rate limit exceeded on {Endpoint(http)}", result,
            UserName(http.User), "aspnetcore.rate_limiting.policy", policy);

    public void AntiforgeryFailed(HttpContext http) =>
        Write(http, Findings.InputValidationFail, LogLevel.Warning, $"Antiforgery validation failed on {Endpoint(http)}",
            "antiforgery", UserName(http.User));

    /// <summary>Whether this request already has an event of <paramref name="finding"/>'s kind.</summary>
    public static bool Reported(HttpContext http, Finding finding) =>
        http.Items.TryGetValue(ItemsKey, out var kinds) && ((HashSet<Finding>)kinds!).Contains(finding);

    void Write(HttpContext http, Finding finding, LogLevel level, string title, string? reason, string? userName,
        string? extraName = null, string? extraValue = null)
    {
        if (!FirstOfKind(http, finding))
            return;

        var address = ClientAddress(http);
        if (!_flood.Admit(finding, address, level))
            return;

        var request = http.Request;
        var route = Route(http);
        var attributes = new List<KeyValuePair<string, object?>>(10);
        if (address != null)
            attributes.Add(new("actor.ips", new[] { address }));
        attributes.Add(new("http.request.method", request.Method));
        attributes.Add(new("url.path", (request.PathBase + request.Path).ToString()));
        if (route != null)
            attributes.Add(new("http.route", route));
        if (userName != null)
            attributes.Add(new("user.name", userName));
        var userAgent = request.Headers.UserAgent.ToString();
        if (userAgent.Length > 0)
            attributes.Add(new("user_agent.original", userAgent.Length > MaxUserAgentLength ? userAgent.Substring(0, MaxUserAgentLength) : userAgent));
        if (reason != null)
            attributes.Add(new("event.reason", reason));
        if (extraName != null && !string.IsNullOrEmpty(extraValue))
            attributes.Add(new(extraName, extraValue));

        var securityFinding = new SecurityFinding { Type = finding.Type, Title = title, ObjectType = "ENDPOINT", ObjectId = Endpoint(http) };
        using (_logger.BeginSecurityScope(securityFinding, attributes))
            _logger.Log(level, finding.EventId, finding.Description);
    }

    static bool FirstOfKind(HttpContext http, Finding finding)
    {
        if (!http.Items.TryGetValue(ItemsKey, out var kinds))
            http.Items[ItemsKey] = kinds = new HashSet<Finding>();
        return ((HashSet<Finding>)kinds!).Add(finding);
    }

    /// <summary>
    /// The connection's address as the app's middleware left it (<c>UseForwardedHeaders</c> sets it from a trusted
    /// proxy); no header is ever read here. IPv4-mapped IPv6 addresses are written as IPv4.
    /// </summary>
    static string? ClientAddress(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address == null)
            return null;
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    /// <summary>The route template with a leading slash, as ASP.NET Core's own metrics tag <c>http.route</c>.</summary>
    static string? Route(HttpContext http)
    {
        var route = http.GetEndpoint()?.Metadata.GetMetadata<IRouteDiagnosticsMetadata>()?.Route;
        if (string.IsNullOrEmpty(route))
            return null;
        return route[0] == '/' ? route : "/" + route;
    }

    /// <summary><c>"GET /api/orders/{id}"</c>: the method and the route template, or the path when there is no route.</summary>
    static string Endpoint(HttpContext http) =>
        http.Request.Method + " " + (Route(http) ?? (http.Request.PathBase + http.Request.Path).ToString());

    /// <summary>The signed-in user's name: <c>Identity.Name</c>, else the <c>NameIdentifier</c> claim, else <c>sub</c>.</summary>
    public static string? UserName(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
            return null;
        return user.Identity.Name ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? user.FindFirst("sub")?.Value;
    }
}
