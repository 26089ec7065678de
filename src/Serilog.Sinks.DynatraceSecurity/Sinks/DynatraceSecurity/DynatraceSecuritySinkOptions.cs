using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Http;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// Settings of the Dynatrace security-event sink. Each property has the PascalCase name of the matching
/// parameter of <c>WriteTo.DynatraceSecurity(...)</c> and the same default.
/// </summary>
[DebuggerDisplay("DynatraceSecurity {EnvironmentUrl,nq} {Endpoint,nq} (token hidden)")]
public sealed class DynatraceSecuritySinkOptions
{
    /// <summary>The default <see cref="BatchSizeLimit"/>: 1000 events.</summary>
    public const int DefaultBatchSizeLimit = 1000;

    /// <summary>The default <see cref="BatchSizeLimitBytes"/>: 1,000,000 bytes per request body.</summary>
    public const long DefaultBatchSizeLimitBytes = 1_000_000;

    /// <summary>The default <see cref="QueueLimit"/>: 100,000 events.</summary>
    public const int DefaultQueueLimit = 100_000;

    /// <summary>The default <see cref="QueueLimitBytes"/>: 64 MiB.</summary>
    public const long DefaultQueueLimitBytes = 64 * 1024 * 1024;

    /// <summary>The default <see cref="EventBodyLimitBytes"/>: 256 KiB.</summary>
    public const long DefaultEventBodyLimitBytes = 256 * 1024;

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

    /// <summary>The default <see cref="UndeliveredEventsSizeLimitBytes"/>: 100 MiB.</summary>
    public const long DefaultUndeliveredEventsSizeLimitBytes = 100 * 1024 * 1024;

    /// <summary>The default <see cref="BufferingTimeLimit"/>: 2 seconds.</summary>
    public static readonly TimeSpan DefaultBufferingTimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>The default <see cref="RetryTimeLimit"/>: 10 minutes.</summary>
    public static readonly TimeSpan DefaultRetryTimeLimit = TimeSpan.FromMinutes(10);

    /// <summary>The default <see cref="RequestTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="ShutdownTimeout"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The base URL of the Dynatrace environment, for example <c>https://abc12345.live.dynatrace.com</c>.
    /// Must use <c>https</c>; plain <c>http</c> is accepted only for loopback hosts. Required.
    /// </summary>
    public string? EnvironmentUrl { get; set; }

    /// <summary>
    /// The access token. Tokens starting with <c>dt0c01.</c> are sent as <c>Api-Token</c>, all others as
    /// <c>Bearer</c>. When null, the environment variable <c>DT_ACCESS_TOKEN</c> is used.
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

    /// <summary>The largest number of events taken from the queue for one batch.</summary>
    public int BatchSizeLimit { get; set; } = DefaultBatchSizeLimit;

    /// <summary>
    /// The largest request body, in bytes. A batch that does not fit is sent as several requests; an event that
    /// alone does not fit is dropped and reported.
    /// </summary>
    public long BatchSizeLimitBytes { get; set; } = DefaultBatchSizeLimitBytes;

    /// <summary>How long events are buffered before a batch is sent.</summary>
    public TimeSpan BufferingTimeLimit { get; set; } = DefaultBufferingTimeLimit;

    /// <summary>
    /// The largest number of security events waiting to be sent. When the queue is full, new events are
    /// dropped, counted and reported.
    /// </summary>
    public int QueueLimit { get; set; } = DefaultQueueLimit;

    /// <summary>
    /// How long a request that failed with a transient error is retried, measured from its first failure,
    /// before its events are reported as dropped.
    /// </summary>
    public TimeSpan RetryTimeLimit { get; set; } = DefaultRetryTimeLimit;

    /// <summary>
    /// The name of the property that marks security events. Its value is <c>true</c> (the event type is
    /// <see cref="DefaultEventType"/>) or a non-empty string (the event type itself).
    /// </summary>
    public string MarkerProperty { get; set; } = SecurityEventLoggerExtensions.DefaultMarkerProperty;

    /// <summary>The <c>event.type</c> of events marked with <c>true</c>.</summary>
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
    /// The HTTP handler used for requests, for proxies, client certificates or tests. The sink disposes it
    /// when the logger is disposed. When null, the sink creates its own handler.
    /// </summary>
    public HttpMessageHandler? MessageHandler { get; set; }

    /// <summary>
    /// How request bodies are encoded: <see cref="DynatraceSecurityCompression.None"/> (the default) or
    /// <see cref="DynatraceSecurityCompression.Gzip"/>. <see cref="BatchSizeLimitBytes"/> and
    /// <see cref="EventBodyLimitBytes"/> always count uncompressed bytes.
    /// </summary>
    public DynatraceSecurityCompression Compression { get; set; } = DynatraceSecurityCompression.None;

    /// <summary>
    /// A file in which the sink keeps every security event it reports as not delivered (dropped when the queue was full,
    /// rejected, given up after <see cref="RetryTimeLimit"/>, not sent at shutdown, ...), one JSON line each:
    /// <c>{"reason":..,"message":..,"event":{...}}</c>, the event as Dynatrace would have received it. For applications
    /// configured from JSON or through <c>AddDynatraceSecurity</c>, which cannot attach <c>WriteTo.FallbackChain</c>.
    /// Null or empty (the default): no file. A relative path is relative to the current directory; the directory is
    /// created; a path that cannot be written fails at configuration. Batched mode only.
    /// </summary>
    public string? UndeliveredEventsPath { get; set; }

    /// <summary>
    /// The most bytes <see cref="UndeliveredEventsPath"/> and its predecessor (<c>.1</c>) take together: when the file
    /// reaches half of this it becomes the predecessor, and the older predecessor, with the oldest events, is deleted.
    /// </summary>
    public long UndeliveredEventsSizeLimitBytes { get; set; } = DefaultUndeliveredEventsSizeLimitBytes;

    /// <summary>Describes the options without the access token.</summary>
    /// <returns>The environment URL, route and endpoint.</returns>
    public override string ToString() => $"DynatraceSecurity({EnvironmentUrl}, {Route}, endpoint {Endpoint ?? "(built-in)"}; token hidden)";

    /// <summary>
    /// The largest estimated size, in bytes, of the security events waiting to be sent. The estimate is taken when an
    /// event is logged, without formatting it (see the README); when the queue is full, new events are dropped,
    /// counted and reported.
    /// </summary>
    public long QueueLimitBytes { get; set; } = DefaultQueueLimitBytes;

    /// <summary>How long one HTTP request may take before it counts as failed (and is retried).</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>
    /// How long disposing the logger may spend delivering what is queued. Disposal returns within this time plus one
    /// <see cref="RequestTimeout"/>, even when the endpoint is down; what is not delivered is reported.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

    /// <summary>
    /// Renames event properties before they are flattened, for example <c>UserName</c> → <c>actor.name</c>, so that a
    /// code base can send Dynatrace's semantic names without changing its log calls.
    /// </summary>
    public IDictionary<string, string> PropertyNames { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// Names whose values are never sent (case-insensitive): a property, structure member, dictionary key or static
    /// attribute with such a name, or whose last dotted segment is such a name, is written as <c>[REDACTED]</c> at any
    /// depth, and so is its place in the message. Null (the default) means <see cref="DefaultRedactedProperties"/>;
    /// an array replaces that list (include the defaults to extend it; an empty array, or one holding only an empty
    /// string for JSON configuration, turns redaction off).
    /// </summary>
    public string[]? RedactedProperties { get; set; }

    /// <summary>
    /// The largest JSON size of one event. A larger event is not dropped: its longest text values are cut (never
    /// inside a character) until it fits, and it carries <c>serilog.truncated: true</c>; only an event that still does
    /// not fit is dropped and reported. At most <see cref="BatchSizeLimitBytes"/> (the smaller of the two applies).
    /// </summary>
    public long EventBodyLimitBytes { get; set; } = DefaultEventBodyLimitBytes;

    /// <summary>
    /// Where to read Dynatrace's enrichment files, whose attributes (such as <c>dt.entity.host</c>) are added to every
    /// event so that Dynatrace can link it to its entities: <c>dt_metadata.json</c> (Kubernetes workloads under the
    /// Dynatrace Operator) and <c>dt_host_metadata.json</c> (OneAgent hosts), plus, inside a process OneAgent monitors,
    /// the process's own metadata. Null (the default) means Dynatrace's directory, <c>/var/lib/dynatrace/enrichment</c>
    /// on Unix and <c>%ProgramData%\dynatrace\enrichment</c> on Windows; an empty string turns enrichment off. Read once,
    /// when the logger is built; a missing directory or file is normal. An event's own property or a static attribute
    /// of the same name wins over an enrichment attribute.
    /// </summary>
    public string? EnrichmentDirectory { get; set; }
}
