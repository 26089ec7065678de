using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// The options of every mode: where to send, how to authenticate, which events and how they are written.
/// <c>AuditTo.DynatraceSecurity(...)</c> takes these; <c>WriteTo.DynatraceSecurity(...)</c> takes
/// <see cref="DynatraceSecuritySinkOptions"/>. Method parameters and <c>appsettings.json</c> keys are the property names
/// in camelCase; docs/options.md gives each option's default, limits and JSON form. A setting that cannot take effect
/// fails when the logger is built, with an <see cref="ArgumentException"/> that says what to fix.
/// </summary>
[DebuggerDisplay("DynatraceSecurity {EnvironmentUrl,nq} {Endpoint,nq} (token hidden)")]
public class DynatraceSecurityOptions
{
    /// <summary>The default <see cref="OAuthTokenUrl"/>: Dynatrace SSO's token endpoint.</summary>
    public const string DefaultOAuthTokenUrl = "https://sso.dynatrace.com/sso/oauth2/token";

    /// <summary>The names redacted when <see cref="RedactedProperties"/> is null.</summary>
    public static readonly IReadOnlyList<string> DefaultRedactedProperties = Array.AsReadOnly(new[]
    {
        "password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "authorization", "cookie",
        "set-cookie", "connectionstring", "connection_string", "creditcard", "credit_card", "cardnumber", "cvv", "ssn",
        "privatekey", "private_key", "accesstoken", "access_token", "refreshtoken", "refresh_token", "clientsecret",
        "client_secret",
    });

    /// <summary>
    /// The environment's base URL, such as <c>https://abc12345.live.dynatrace.com</c> (with an ActiveGate's path where
    /// there is one); https, or http to a loopback host. Required.
    /// </summary>
    public string? EnvironmentUrl { get; set; }

    /// <summary>
    /// The access token: <c>dt0c01.</c> tokens are sent as <c>Api-Token</c>, others as <c>Bearer</c>. Null: the
    /// environment variable <c>DT_ACCESS_TOKEN</c>, unless an OAuth client is configured.
    /// </summary>
    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string? AccessToken { get; set; }

    /// <summary>The custom ingest source name, such as <c>contoso.identity</c>; null for the built-in route.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The ingest route; <see cref="DynatraceSecurityRoute.SecurityEvents"/> by default.</summary>
    public DynatraceSecurityRoute Route { get; set; } = DynatraceSecurityRoute.SecurityEvents;

    /// <summary>The minimum level of events passed to the sink; ignored when <see cref="LevelSwitch"/> is set.</summary>
    public LogEventLevel RestrictedToMinimumLevel { get; set; } = LevelAlias.Minimum;

    /// <summary>A switch that changes the sink's minimum level at run time.</summary>
    public LoggingLevelSwitch? LevelSwitch { get; set; }

    /// <summary>
    /// The property that marks security events: <c>true</c> (the type is <see cref="DefaultEventType"/>) or the event
    /// type. <c>SecurityEvent</c>, which this library's helpers add, is recognised as well.
    /// </summary>
    public string MarkerProperty { get; set; } = SecurityEventLoggerExtensions.DefaultMarkerProperty;

    /// <summary>The <c>event.type</c> of events marked with <c>true</c>; <c>DETECTION_FINDING</c> by default.</summary>
    public string DefaultEventType { get; set; } = SecurityEventTypes.DetectionFinding;

    /// <summary>The <c>event.provider</c> (and default <c>object.id</c>); null for the application's name.</summary>
    public string? EventProvider { get; set; }

    /// <summary>The <c>product.name</c> written on every event, when set.</summary>
    public string? ProductName { get; set; }

    /// <summary>The <c>product.vendor</c> written on every event, when set.</summary>
    public string? ProductVendor { get; set; }

    /// <summary>Attributes written on every event; a property of the event with the same name wins.</summary>
    public IDictionary<string, string> StaticAttributes { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// The HTTP handler for requests (proxies, client certificates, tests); null for the sink's own. The sink disposes
    /// it with the logger and switches its automatic redirects off.
    /// </summary>
    public HttpMessageHandler? MessageHandler { get; set; }

    /// <summary>How long one HTTP request may take (in audit mode, one logging call); 30 seconds by default.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Renames event properties before they are flattened, such as <c>UserName</c> to <c>actor.name</c>.</summary>
    public IDictionary<string, string> PropertyNames { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// Names whose values are sent as <c>[REDACTED]</c>, at any depth; null for <see cref="DefaultRedactedProperties"/>,
    /// an empty array to turn redaction off.
    /// </summary>
    public string[]? RedactedProperties { get; set; }

    /// <summary>
    /// The largest JSON size of one event; a larger one has its longest text values cut to fit. Null: 256 KiB, or what
    /// fits in a request.
    /// </summary>
    public int? EventBodyLimitBytes { get; set; }

    /// <summary>
    /// Where to read Dynatrace's enrichment files; null for Dynatrace's directory, <c>"none"</c> to turn enrichment off.
    /// </summary>
    public string? EnrichmentDirectory { get; set; }

    /// <summary>
    /// The id of an OAuth client to authenticate with instead of <see cref="AccessToken"/>, with
    /// <see cref="OAuthClientSecret"/>. Null: the environment variables <c>DT_CLIENT_ID</c> and <c>DT_CLIENT_SECRET</c>,
    /// unless an access token is configured.
    /// </summary>
    public string? OAuthClientId { get; set; }

    /// <summary>The secret of the OAuth client <see cref="OAuthClientId"/>; keep it out of <c>appsettings.json</c>.</summary>
    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string? OAuthClientSecret { get; set; }

    /// <summary>The token endpoint; null for <see cref="DefaultOAuthTokenUrl"/>.</summary>
    public string? OAuthTokenUrl { get; set; }

    /// <summary>The permissions tokens are requested with, separated by spaces; null for the one the route needs.</summary>
    public string? OAuthScope { get; set; }

    /// <summary>The <c>resource</c> tokens are requested for (<c>urn:dtaccount:...</c>, <c>urn:dtenvironment:...</c>); null sends none.</summary>
    public string? OAuthResource { get; set; }

    /// <summary>Describes the options without the access token or client secret.</summary>
    /// <returns>The environment URL, route and endpoint.</returns>
    public override string ToString() => $"DynatraceSecurity({EnvironmentUrl}, {Route}, endpoint {Endpoint ?? "(built-in)"}; token hidden)";
}
