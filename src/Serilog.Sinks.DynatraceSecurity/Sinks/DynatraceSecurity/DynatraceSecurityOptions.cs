using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// What the Dynatrace security-event sink needs in every mode: where to send, how to authenticate, which events and how
/// they are written. <c>AuditTo.DynatraceSecurity(...)</c> takes these options; <c>WriteTo.DynatraceSecurity(...)</c>
/// takes <see cref="DynatraceSecuritySinkOptions"/>, which adds batching, queueing and delivery. This is where each
/// option is documented: the parameters of those methods and the keys of <c>appsettings.json</c> are the properties'
/// names in camelCase, and a parameter left out (null) keeps the property's default. A setting that cannot take effect
/// fails when the logger is built, with an <see cref="ArgumentException"/> that says what to fix.
/// </summary>
[DebuggerDisplay("DynatraceSecurity {EnvironmentUrl,nq} {Endpoint,nq} (token hidden)")]
public class DynatraceSecurityOptions
{
    /// <summary>The default <see cref="OAuthTokenUrl"/>: Dynatrace SSO's token endpoint.</summary>
    public const string DefaultOAuthTokenUrl = "https://sso.dynatrace.com/sso/oauth2/token";

    /// <summary>
    /// The names redacted when <see cref="RedactedProperties"/> is null: password, passwd, pwd, secret, token,
    /// apikey, api_key, api-key, authorization, cookie, set-cookie, connectionstring, connection_string, creditcard,
    /// credit_card, cardnumber, cvv, ssn, privatekey, private_key, accesstoken, access_token, refreshtoken,
    /// refresh_token, clientsecret, client_secret.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultRedactedProperties = Array.AsReadOnly(new[]
    {
        "password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "authorization", "cookie",
        "set-cookie", "connectionstring", "connection_string", "creditcard", "credit_card", "cardnumber", "cvv", "ssn",
        "privatekey", "private_key", "accesstoken", "access_token", "refreshtoken", "refresh_token", "clientsecret",
        "client_secret",
    });

    /// <summary>
    /// The base URL of the Dynatrace environment, for example <c>https://abc12345.live.dynatrace.com</c>, with the
    /// path of an ActiveGate where there is one. Must use <c>https</c>; plain <c>http</c> is accepted only for loopback
    /// hosts. Required.
    /// </summary>
    public string? EnvironmentUrl { get; set; }

    /// <summary>
    /// The access token. Tokens starting with <c>dt0c01.</c> are sent as <c>Api-Token</c>, all others as
    /// <c>Bearer</c>. When null, and no OAuth client is configured (<see cref="OAuthClientId"/>), the environment
    /// variable <c>DT_ACCESS_TOKEN</c> is used.
    /// The token needs the scope <c>openpipeline.events_security.custom</c> (custom endpoints) or
    /// <c>openpipeline.events_security</c> (built-in routes).
    /// </summary>
    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string? AccessToken { get; set; }

    /// <summary>
    /// The name of the custom ingest endpoint (the source name configured in OpenPipeline), for example
    /// <c>contoso.identity</c>: letters, digits and dots, starting with a letter or digit, no <c>..</c> and no
    /// trailing dot.
    /// When null, the built-in ingest route is used.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>The ingest route; <see cref="DynatraceSecurityRoute.SecurityEvents"/> by default.</summary>
    public DynatraceSecurityRoute Route { get; set; } = DynatraceSecurityRoute.SecurityEvents;

    /// <summary>The minimum level of events passed to the sink; ignored when <see cref="LevelSwitch"/> is set.</summary>
    public LogEventLevel RestrictedToMinimumLevel { get; set; } = LevelAlias.Minimum;

    /// <summary>A switch that changes the sink's minimum level at run time.</summary>
    public LoggingLevelSwitch? LevelSwitch { get; set; }

    /// <summary>
    /// The name of the property that marks security events. Its value is <c>true</c> (the event type is
    /// <see cref="DefaultEventType"/>) or a non-empty string (the event type itself). The default marker
    /// <c>SecurityEvent</c>, which this library's helpers add, is recognised as well.
    /// </summary>
    public string MarkerProperty { get; set; } = SecurityEventLoggerExtensions.DefaultMarkerProperty;

    /// <summary>The <c>event.type</c> of events marked with <c>true</c>; <c>DETECTION_FINDING</c> by default.</summary>
    public string DefaultEventType { get; set; } = SecurityEventTypes.DetectionFinding;

    /// <summary>
    /// The <c>event.provider</c> written on every event, also the default <c>object.id</c>. When null, the application's
    /// name: the entry assembly's name, or the process name where there is no entry assembly.
    /// </summary>
    public string? EventProvider { get; set; }

    /// <summary>The <c>product.name</c> written on every event, when set.</summary>
    public string? ProductName { get; set; }

    /// <summary>The <c>product.vendor</c> written on every event, when set.</summary>
    public string? ProductVendor { get; set; }

    /// <summary>
    /// Attributes written on every event, such as <c>dt.security_context</c> or <c>deployment.environment</c>.
    /// A property of the event with the same name wins.
    /// </summary>
    public IDictionary<string, string> StaticAttributes { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// The HTTP handler used for requests, for proxies, client certificates or tests. The sink disposes it when the
    /// logger is disposed, and switches its automatic redirects off before its first use (an <c>HttpClientHandler</c>
    /// or <c>SocketsHttpHandler</c>, also behind <c>DelegatingHandler</c>s). When null, the sink creates its own handler.
    /// </summary>
    public HttpMessageHandler? MessageHandler { get; set; }

    /// <summary>
    /// How long one HTTP request may take before it counts as failed (in audit mode: how long one logging call may wait
    /// for Dynatrace's answer); 30 seconds by default, at most 10 minutes.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Renames event properties before they are flattened, for example <c>UserName</c> → <c>actor.name</c>, so that a
    /// code base can send Dynatrace's semantic names without changing its log calls.
    /// </summary>
    public IDictionary<string, string> PropertyNames { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// Names whose values are never sent (case-insensitive): a property, structure member, dictionary key or static
    /// attribute with such a name, or whose last dotted segment is such a name, is written as <c>[REDACTED]</c> at any
    /// depth, and so is its place in the message. Null (the default) means <see cref="DefaultRedactedProperties"/>;
    /// an array replaces that list (include the defaults to extend it), and an empty array (<c>[]</c> in JSON) turns
    /// redaction off. An empty name in the array fails at configuration.
    /// </summary>
    public string[]? RedactedProperties { get; set; }

    /// <summary>
    /// The largest JSON size of one event, 512 to 10,000,000 bytes. A larger event is not dropped: its longest text
    /// values are cut (never inside a character) until it fits, and it carries <c>serilog.truncated: true</c>; only an
    /// event that still does not fit is dropped and reported (in audit mode, the logging call throws). Null (the
    /// default) means 256 KiB (262,144 bytes), or in batched mode
    /// <see cref="DynatraceSecuritySinkOptions.BatchSizeLimitBytes"/> - 2 when that is smaller: an event travels in a
    /// request body with its brackets. A value larger than that fails at configuration.
    /// </summary>
    public int? EventBodyLimitBytes { get; set; }

    /// <summary>
    /// Where to read Dynatrace's enrichment files, whose attributes (such as <c>dt.entity.host</c>) are added to every
    /// event so that Dynatrace can link it to its entities: <c>dt_metadata.json</c> (Kubernetes workloads under the
    /// Dynatrace Operator) and <c>dt_host_metadata.json</c> (OneAgent hosts), plus, inside a process OneAgent monitors,
    /// the process's own metadata. Null (the default) means Dynatrace's directory, <c>/var/lib/dynatrace/enrichment</c>
    /// on Unix and <c>%ProgramData%\dynatrace\enrichment</c> on Windows; <c>"none"</c> turns enrichment off (no file is
    /// read); an empty string fails at configuration (write <c>"none"</c>, or <c>./none</c> for a directory of that
    /// name). Read once, when the logger is built; a missing directory or file is normal. An event's own property or a
    /// static attribute of the same name wins over an enrichment attribute.
    /// </summary>
    public string? EnrichmentDirectory { get; set; }

    /// <summary>
    /// The client id of an OAuth client (<c>dt0s02.</c>...) to authenticate with instead of an <see cref="AccessToken"/>:
    /// the sink exchanges it, with <see cref="OAuthClientSecret"/>, for short-lived bearer tokens (client-credentials
    /// grant) and renews them before they expire. Set both or neither, and not together with <see cref="AccessToken"/>.
    /// When none of the three is set, the environment variables <c>DT_CLIENT_ID</c> and <c>DT_CLIENT_SECRET</c> are used.
    /// </summary>
    public string? OAuthClientId { get; set; }

    /// <summary>
    /// The secret of the OAuth client <see cref="OAuthClientId"/>; see there. Like the access token, it never appears in
    /// any message; keep it out of <c>appsettings.json</c> (environment variables, user secrets, a key vault).
    /// </summary>
    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    public string? OAuthClientSecret { get; set; }

    /// <summary>
    /// The token endpoint OAuth tokens are requested from; null means <see cref="DefaultOAuthTokenUrl"/>. Must use
    /// <c>https</c>; plain <c>http</c> is accepted only for loopback hosts.
    /// </summary>
    public string? OAuthTokenUrl { get; set; }

    /// <summary>
    /// The permissions OAuth tokens are requested with, separated by spaces; null means the one the route needs:
    /// <c>openpipeline:security.events.custom:ingest</c> for a custom <see cref="Endpoint"/>,
    /// <c>openpipeline:security.events:ingest</c> for the built-in route.
    /// </summary>
    public string? OAuthScope { get; set; }

    /// <summary>
    /// The <c>resource</c> OAuth tokens are requested for, <c>urn:dtaccount:&lt;account-uuid&gt;</c> or
    /// <c>urn:dtenvironment:&lt;environment-id&gt;</c>; null sends none.
    /// </summary>
    public string? OAuthResource { get; set; }

    /// <summary>Describes the options without the access token or client secret.</summary>
    /// <returns>The environment URL, route and endpoint.</returns>
    public override string ToString() => $"DynatraceSecurity({EnvironmentUrl}, {Route}, endpoint {Endpoint ?? "(built-in)"}; token hidden)";
}
