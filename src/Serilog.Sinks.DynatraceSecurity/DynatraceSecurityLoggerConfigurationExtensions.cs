using System;
using System.Collections.Generic;
using System.Net.Http;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog;

/// <summary>
/// Adds <c>WriteTo.DynatraceSecurity(...)</c>: sends security events to a Dynatrace OpenPipeline security-event
/// ingest endpoint.
/// </summary>
public static class DynatraceSecurityLoggerConfigurationExtensions
{
    /// <summary>
    /// Sends the events that carry the security marker (see <see cref="SecurityEventLoggerExtensions.ForSecurityEvent(ILogger, string)"/>)
    /// to Dynatrace as flattened security-event objects, in batches, in the background. Other events are ignored.
    /// </summary>
    /// <param name="loggerSinkConfiguration">The sink configuration.</param>
    /// <param name="environmentUrl">The environment's base URL, such as <c>https://abc12345.live.dynatrace.com</c>. Required:
    /// it has a default only so that a configuration file (Serilog.Settings.Configuration) that leaves it out, or
    /// misspells it, fails with a message that says so instead of silently adding no sink.</param>
    /// <param name="accessToken">The access token (scope <c>openpipeline.events_security.custom</c>); when null, and no
    /// OAuth client is given, the environment variable <c>DT_ACCESS_TOKEN</c>.</param>
    /// <param name="endpoint">The custom ingest endpoint name, such as <c>contoso.identity</c>; null for the built-in route.</param>
    /// <param name="route">The ingest route.</param>
    /// <param name="restrictedToMinimumLevel">The minimum level of events sent; ignored when <paramref name="levelSwitch"/> is set.</param>
    /// <param name="levelSwitch">A switch that changes the minimum level at run time.</param>
    /// <param name="batchSizeLimit">The largest number of events in one batch.</param>
    /// <param name="batchSizeLimitBytes">The largest request body in bytes; larger batches become several requests.</param>
    /// <param name="bufferingTimeLimit">How long events are buffered before a batch is sent; 2 seconds when null.</param>
    /// <param name="queueLimit">The largest number of security events waiting to be sent; further events are dropped and reported.</param>
    /// <param name="retryTimeLimit">How long transient failures are retried before events are reported as dropped; 10 minutes when null.</param>
    /// <param name="markerProperty">The name of the property that marks security events.</param>
    /// <param name="defaultEventType">The <c>event.type</c> of events whose marker is <c>true</c>.</param>
    /// <param name="eventProvider">The <c>event.provider</c> of every event (and its default <c>object.id</c>); null for the
    /// entry assembly's name.</param>
    /// <param name="productName">The <c>product.name</c> of every event.</param>
    /// <param name="productVendor">The <c>product.vendor</c> of every event.</param>
    /// <param name="staticAttributes">Attributes added to every event; a property of the event with the same name wins.</param>
    /// <param name="messageHandler">The HTTP handler for requests (proxies, certificates, tests); disposed with the logger.</param>
    /// <param name="queueLimitBytes">The largest estimated size of the security events waiting to be sent; further events are dropped and reported.</param>
    /// <param name="requestTimeout">How long one HTTP request may take; 30 seconds when null.</param>
    /// <param name="shutdownTimeout">How long disposal may spend delivering what is queued; 10 seconds when null.</param>
    /// <param name="propertyNames">Renames event properties before flattening, such as <c>UserName</c> to <c>actor.name</c>.</param>
    /// <param name="redactedProperties">Names whose values are sent as <c>[REDACTED]</c>, case-insensitive, at any depth;
    /// null for <see cref="DynatraceSecurityOptions.DefaultRedactedProperties"/>, empty to turn redaction off (an empty
    /// name is refused).</param>
    /// <param name="eventBodyLimitBytes">The largest JSON size of one event, at most <paramref name="batchSizeLimitBytes"/> - 2;
    /// longer text values are cut to fit. Null for 256 KiB, or less when that is what fits a request.</param>
    /// <param name="compression">How request bodies are encoded; uncompressed by default (see <see cref="DynatraceSecurityCompression"/>).</param>
    /// <param name="undeliveredEventsPath">A file that keeps every event reported as not delivered, as JSON lines; none when null.</param>
    /// <param name="undeliveredEventsSizeLimitBytes">The most bytes the undelivered-events file and its predecessor take together.</param>
    /// <param name="enrichmentDirectory">Where to read Dynatrace's enrichment files (entity ids added to every event); null
    /// for Dynatrace's directory (<c>/var/lib/dynatrace/enrichment</c>, <c>%ProgramData%\dynatrace\enrichment</c>),
    /// <c>"none"</c> to turn enrichment off.</param>
    /// <param name="bufferPath">A directory for durable delivery: failed requests wait there, across restarts; none when null.</param>
    /// <param name="bufferSizeLimitBytes">The most bytes the durable buffer's files take.</param>
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
        this LoggerSinkConfiguration loggerSinkConfiguration,
        string? environmentUrl = null,
        string? accessToken = null,
        string? endpoint = null,
        DynatraceSecurityRoute route = DynatraceSecurityRoute.SecurityEvents,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        LoggingLevelSwitch? levelSwitch = null,
        int batchSizeLimit = DynatraceSecuritySinkOptions.DefaultBatchSizeLimit,
        int batchSizeLimitBytes = DynatraceSecuritySinkOptions.DefaultBatchSizeLimitBytes,
        TimeSpan? bufferingTimeLimit = null,
        int queueLimit = DynatraceSecuritySinkOptions.DefaultQueueLimit,
        TimeSpan? retryTimeLimit = null,
        string markerProperty = SecurityEventLoggerExtensions.DefaultMarkerProperty,
        string defaultEventType = SecurityEventTypes.DetectionFinding,
        string? eventProvider = null,
        string? productName = null,
        string? productVendor = null,
        IDictionary<string, string>? staticAttributes = null,
        HttpMessageHandler? messageHandler = null,
        long queueLimitBytes = DynatraceSecuritySinkOptions.DefaultQueueLimitBytes,
        TimeSpan? requestTimeout = null,
        TimeSpan? shutdownTimeout = null,
        IDictionary<string, string>? propertyNames = null,
        string[]? redactedProperties = null,
        int? eventBodyLimitBytes = null,
        DynatraceSecurityCompression compression = DynatraceSecurityCompression.None,
        string? undeliveredEventsPath = null,
        long undeliveredEventsSizeLimitBytes = DynatraceSecuritySinkOptions.DefaultUndeliveredEventsSizeLimitBytes,
        string? enrichmentDirectory = null,
        string? bufferPath = null,
        long bufferSizeLimitBytes = DynatraceSecuritySinkOptions.DefaultBufferSizeLimitBytes,
        string? oauthClientId = null,
        string? oauthClientSecret = null,
        string? oauthTokenUrl = null,
        string? oauthScope = null,
        string? oauthResource = null)
    {
        return loggerSinkConfiguration.DynatraceSecurity(options =>
        {
            options.EnvironmentUrl = environmentUrl;
            options.AccessToken = accessToken;
            options.Endpoint = endpoint;
            options.Route = route;
            options.RestrictedToMinimumLevel = restrictedToMinimumLevel;
            options.LevelSwitch = levelSwitch;
            options.BatchSizeLimit = batchSizeLimit;
            options.BatchSizeLimitBytes = batchSizeLimitBytes;
            options.BufferingTimeLimit = bufferingTimeLimit ?? DynatraceSecuritySinkOptions.DefaultBufferingTimeLimit;
            options.QueueLimit = queueLimit;
            options.RetryTimeLimit = retryTimeLimit ?? DynatraceSecuritySinkOptions.DefaultRetryTimeLimit;
            options.MarkerProperty = markerProperty;
            options.DefaultEventType = defaultEventType;
            options.EventProvider = eventProvider;
            options.ProductName = productName;
            options.ProductVendor = productVendor;
            options.StaticAttributes = staticAttributes ?? new Dictionary<string, string>();
            options.MessageHandler = messageHandler;
            options.QueueLimitBytes = queueLimitBytes;
            options.RequestTimeout = requestTimeout ?? DynatraceSecurityOptions.DefaultRequestTimeout;
            options.ShutdownTimeout = shutdownTimeout ?? DynatraceSecuritySinkOptions.DefaultShutdownTimeout;
            options.PropertyNames = propertyNames ?? new Dictionary<string, string>();
            options.RedactedProperties = redactedProperties;
            options.EventBodyLimitBytes = eventBodyLimitBytes;
            options.Compression = compression;
            options.UndeliveredEventsPath = undeliveredEventsPath;
            options.UndeliveredEventsSizeLimitBytes = undeliveredEventsSizeLimitBytes;
            options.EnrichmentDirectory = enrichmentDirectory;
            options.BufferPath = bufferPath;
            options.BufferSizeLimitBytes = bufferSizeLimitBytes;
            options.OAuthClientId = oauthClientId;
            options.OAuthClientSecret = oauthClientSecret;
            options.OAuthTokenUrl = oauthTokenUrl;
            options.OAuthScope = oauthScope;
            options.OAuthResource = oauthResource;
        });
    }

    /// <summary>
    /// Sends the events that carry the security marker to Dynatrace, with settings given as
    /// <see cref="DynatraceSecuritySinkOptions"/>.
    /// </summary>
    /// <param name="loggerSinkConfiguration">The sink configuration.</param>
    /// <param name="configure">Sets the options; <see cref="DynatraceSecurityOptions.EnvironmentUrl"/> is required.</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message says what to fix.</exception>
    public static LoggerConfiguration DynatraceSecurity(
        this LoggerSinkConfiguration loggerSinkConfiguration,
        Action<DynatraceSecuritySinkOptions> configure)
    {
        if (loggerSinkConfiguration == null) throw new ArgumentNullException(nameof(loggerSinkConfiguration));
        var settings = SinkSettings.From(configure);

        // The level is checked by the sink itself (see SecurityEventFrontSink), so no restriction is passed here.
        return loggerSinkConfiguration.Sink(new SecurityEventFrontSink(settings));
    }
}
