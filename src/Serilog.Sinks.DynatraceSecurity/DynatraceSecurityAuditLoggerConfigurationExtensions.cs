using System;
using System.Collections.Generic;
using System.Net.Http;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity;
using Serilog.Sinks.DynatraceSecurity.Audit;
using Serilog.Sinks.DynatraceSecurity.Configuration;

namespace Serilog;

/// <summary>
/// Adds <c>AuditTo.DynatraceSecurity(...)</c>: sends each security event to Dynatrace before the logging call returns,
/// and throws when Dynatrace did not accept it.
/// </summary>
public static class DynatraceSecurityAuditLoggerConfigurationExtensions
{
    /// <summary>
    /// Sends each event that carries the security marker to Dynatrace synchronously: the logging call returns only
    /// after Dynatrace accepted the event (2xx), and throws when it did not (any other status, no answer within
    /// <paramref name="requestTimeout"/>, a network error). Serilog passes exceptions from audit sinks on to the
    /// caller, wrapped in an <see cref="AggregateException"/> whose inner exception is a
    /// <see cref="DynatraceSecurityAuditException"/>. There is no batching, no queue and no retry, so every marked event
    /// costs one request's latency on the logging thread. An event larger than <paramref name="eventBodyLimitBytes"/> is
    /// cut to fit like in batched delivery. Other events are ignored.
    /// </summary>
    /// <param name="loggerAuditSinkConfiguration">The audit sink configuration.</param>
    /// <param name="environmentUrl">The environment's base URL, such as <c>https://abc12345.live.dynatrace.com</c>. Required
    /// (the default only lets a configuration file that leaves it out fail with a clear message).</param>
    /// <param name="accessToken">The access token; when null, and no OAuth client is given, the environment variable
    /// <c>DT_ACCESS_TOKEN</c>.</param>
    /// <param name="endpoint">The custom ingest endpoint name, such as <c>contoso.identity</c>; null for the built-in route.</param>
    /// <param name="route">The ingest route.</param>
    /// <param name="restrictedToMinimumLevel">The minimum level of events sent; ignored when <paramref name="levelSwitch"/> is set.</param>
    /// <param name="levelSwitch">A switch that changes the minimum level at run time.</param>
    /// <param name="markerProperty">The name of the property that marks security events.</param>
    /// <param name="defaultEventType">The <c>event.type</c> of events whose marker is <c>true</c>.</param>
    /// <param name="eventProvider">The <c>event.provider</c> of every event (and its default <c>object.id</c>); null for the
    /// entry assembly's name.</param>
    /// <param name="productName">The <c>product.name</c> of every event.</param>
    /// <param name="productVendor">The <c>product.vendor</c> of every event.</param>
    /// <param name="staticAttributes">Attributes added to every event; a property of the event with the same name wins.</param>
    /// <param name="messageHandler">The HTTP handler for requests (proxies, certificates, tests); disposed with the logger.</param>
    /// <param name="requestTimeout">How long one logging call may wait for Dynatrace's answer; 30 seconds when null.</param>
    /// <param name="propertyNames">Renames event properties before flattening, such as <c>UserName</c> to <c>actor.name</c>.</param>
    /// <param name="redactedProperties">Names whose values are sent as <c>[REDACTED]</c>, case-insensitive, at any depth;
    /// null for <see cref="DynatraceSecurityOptions.DefaultRedactedProperties"/>, empty to turn redaction off (an empty
    /// name is refused).</param>
    /// <param name="eventBodyLimitBytes">The largest JSON size of one event (null for 256 KiB); longer text values are cut
    /// to fit, and an event that still does not fit throws without being sent.</param>
    /// <param name="enrichmentDirectory">Where to read Dynatrace's enrichment files (entity ids added to every event); null
    /// for Dynatrace's directory (<c>/var/lib/dynatrace/enrichment</c>, <c>%ProgramData%\dynatrace\enrichment</c>),
    /// <c>"none"</c> to turn enrichment off.</param>
    /// <param name="oauthClientId">The client id of an OAuth client to authenticate with instead of an access token; the
    /// sink exchanges it, with <paramref name="oauthClientSecret"/>, for short-lived tokens and renews them. When neither
    /// these nor <paramref name="accessToken"/> are given, the environment variables <c>DT_CLIENT_ID</c> and
    /// <c>DT_CLIENT_SECRET</c> are used.</param>
    /// <param name="oauthClientSecret">The OAuth client's secret; keep it out of configuration files.</param>
    /// <param name="oauthTokenUrl">The token endpoint; null for <see cref="DynatraceSecurityOptions.DefaultOAuthTokenUrl"/>.</param>
    /// <param name="oauthScope">The permissions tokens are requested with, separated by spaces; null for the one the route needs.</param>
    /// <param name="oauthResource">The <c>resource</c> tokens are requested for (<c>urn:dtaccount:&lt;uuid&gt;</c> or
    /// <c>urn:dtenvironment:&lt;id&gt;</c>); null sends none.</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message says what to fix.</exception>
    public static LoggerConfiguration DynatraceSecurity(
        this LoggerAuditSinkConfiguration loggerAuditSinkConfiguration,
        string? environmentUrl = null,
        string? accessToken = null,
        string? endpoint = null,
        DynatraceSecurityRoute route = DynatraceSecurityRoute.SecurityEvents,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        LoggingLevelSwitch? levelSwitch = null,
        string markerProperty = SecurityEventLoggerExtensions.DefaultMarkerProperty,
        string defaultEventType = SecurityEventTypes.DetectionFinding,
        string? eventProvider = null,
        string? productName = null,
        string? productVendor = null,
        IDictionary<string, string>? staticAttributes = null,
        HttpMessageHandler? messageHandler = null,
        TimeSpan? requestTimeout = null,
        IDictionary<string, string>? propertyNames = null,
        string[]? redactedProperties = null,
        int? eventBodyLimitBytes = null,
        string? enrichmentDirectory = null,
        string? oauthClientId = null,
        string? oauthClientSecret = null,
        string? oauthTokenUrl = null,
        string? oauthScope = null,
        string? oauthResource = null)
    {
        return loggerAuditSinkConfiguration.DynatraceSecurity(options =>
        {
            options.EnvironmentUrl = environmentUrl;
            options.AccessToken = accessToken;
            options.Endpoint = endpoint;
            options.Route = route;
            options.RestrictedToMinimumLevel = restrictedToMinimumLevel;
            options.LevelSwitch = levelSwitch;
            options.MarkerProperty = markerProperty;
            options.DefaultEventType = defaultEventType;
            options.EventProvider = eventProvider;
            options.ProductName = productName;
            options.ProductVendor = productVendor;
            options.StaticAttributes = staticAttributes ?? new Dictionary<string, string>();
            options.MessageHandler = messageHandler;
            options.RequestTimeout = requestTimeout ?? DynatraceSecurityOptions.DefaultRequestTimeout;
            options.PropertyNames = propertyNames ?? new Dictionary<string, string>();
            options.RedactedProperties = redactedProperties;
            options.EventBodyLimitBytes = eventBodyLimitBytes;
            options.EnrichmentDirectory = enrichmentDirectory;
            options.OAuthClientId = oauthClientId;
            options.OAuthClientSecret = oauthClientSecret;
            options.OAuthTokenUrl = oauthTokenUrl;
            options.OAuthScope = oauthScope;
            options.OAuthResource = oauthResource;
        });
    }

    /// <summary>
    /// Sends each event that carries the security marker to Dynatrace synchronously, with settings given as
    /// <see cref="DynatraceSecurityOptions"/>: the options shared with batched mode (batching, queueing, retries and
    /// compression do not exist in audit mode, which makes one request per event and no retry).
    /// </summary>
    /// <param name="loggerAuditSinkConfiguration">The audit sink configuration.</param>
    /// <param name="configure">Sets the options; <see cref="DynatraceSecurityOptions.EnvironmentUrl"/> is required.</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message says what to fix.</exception>
    public static LoggerConfiguration DynatraceSecurity(
        this LoggerAuditSinkConfiguration loggerAuditSinkConfiguration,
        Action<DynatraceSecurityOptions> configure)
    {
        if (loggerAuditSinkConfiguration == null) throw new ArgumentNullException(nameof(loggerAuditSinkConfiguration));
        var settings = SinkSettings.From(configure);

        return loggerAuditSinkConfiguration.Sink(
            new DynatraceSecurityAuditSink(settings), settings.RestrictedToMinimumLevel, settings.LevelSwitch);
    }
}
