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
    /// Each parameter sets the <see cref="DynatraceSecuritySinkOptions"/> property of the same name, documented there;
    /// null keeps its default. <paramref name="environmentUrl"/> is required: its default only lets a configuration file
    /// that leaves it out, or misspells it, fail with a message that says so instead of silently adding no sink.
    /// </summary>
    /// <param name="loggerSinkConfiguration">The sink configuration.</param>
    /// <param name="environmentUrl">See <see cref="DynatraceSecurityOptions.EnvironmentUrl"/>.</param>
    /// <param name="accessToken">See <see cref="DynatraceSecurityOptions.AccessToken"/>.</param>
    /// <param name="endpoint">See <see cref="DynatraceSecurityOptions.Endpoint"/>.</param>
    /// <param name="route">See <see cref="DynatraceSecurityOptions.Route"/>.</param>
    /// <param name="restrictedToMinimumLevel">See <see cref="DynatraceSecurityOptions.RestrictedToMinimumLevel"/>.</param>
    /// <param name="levelSwitch">See <see cref="DynatraceSecurityOptions.LevelSwitch"/>.</param>
    /// <param name="batchSizeLimit">See <see cref="DynatraceSecuritySinkOptions.BatchSizeLimit"/>.</param>
    /// <param name="batchSizeLimitBytes">See <see cref="DynatraceSecuritySinkOptions.BatchSizeLimitBytes"/>.</param>
    /// <param name="bufferingTimeLimit">See <see cref="DynatraceSecuritySinkOptions.BufferingTimeLimit"/>.</param>
    /// <param name="queueLimit">See <see cref="DynatraceSecuritySinkOptions.QueueLimit"/>.</param>
    /// <param name="retryTimeLimit">See <see cref="DynatraceSecuritySinkOptions.RetryTimeLimit"/>.</param>
    /// <param name="markerProperty">See <see cref="DynatraceSecurityOptions.MarkerProperty"/>.</param>
    /// <param name="defaultEventType">See <see cref="DynatraceSecurityOptions.DefaultEventType"/>.</param>
    /// <param name="eventProvider">See <see cref="DynatraceSecurityOptions.EventProvider"/>.</param>
    /// <param name="productName">See <see cref="DynatraceSecurityOptions.ProductName"/>.</param>
    /// <param name="productVendor">See <see cref="DynatraceSecurityOptions.ProductVendor"/>.</param>
    /// <param name="staticAttributes">See <see cref="DynatraceSecurityOptions.StaticAttributes"/>.</param>
    /// <param name="messageHandler">See <see cref="DynatraceSecurityOptions.MessageHandler"/>.</param>
    /// <param name="queueLimitBytes">See <see cref="DynatraceSecuritySinkOptions.QueueLimitBytes"/>.</param>
    /// <param name="requestTimeout">See <see cref="DynatraceSecurityOptions.RequestTimeout"/>.</param>
    /// <param name="shutdownTimeout">See <see cref="DynatraceSecuritySinkOptions.ShutdownTimeout"/>.</param>
    /// <param name="propertyNames">See <see cref="DynatraceSecurityOptions.PropertyNames"/>.</param>
    /// <param name="redactedProperties">See <see cref="DynatraceSecurityOptions.RedactedProperties"/>.</param>
    /// <param name="eventBodyLimitBytes">See <see cref="DynatraceSecurityOptions.EventBodyLimitBytes"/>.</param>
    /// <param name="compression">See <see cref="DynatraceSecuritySinkOptions.Compression"/>.</param>
    /// <param name="undeliveredEventsPath">See <see cref="DynatraceSecuritySinkOptions.UndeliveredEventsPath"/>.</param>
    /// <param name="undeliveredEventsSizeLimitBytes">See <see cref="DynatraceSecuritySinkOptions.UndeliveredEventsSizeLimitBytes"/>.</param>
    /// <param name="enrichmentDirectory">See <see cref="DynatraceSecurityOptions.EnrichmentDirectory"/>.</param>
    /// <param name="bufferPath">See <see cref="DynatraceSecuritySinkOptions.BufferPath"/>.</param>
    /// <param name="bufferSizeLimitBytes">See <see cref="DynatraceSecuritySinkOptions.BufferSizeLimitBytes"/>.</param>
    /// <param name="oauthClientId">See <see cref="DynatraceSecurityOptions.OAuthClientId"/>.</param>
    /// <param name="oauthClientSecret">See <see cref="DynatraceSecurityOptions.OAuthClientSecret"/>.</param>
    /// <param name="oauthTokenUrl">See <see cref="DynatraceSecurityOptions.OAuthTokenUrl"/>.</param>
    /// <param name="oauthScope">See <see cref="DynatraceSecurityOptions.OAuthScope"/>.</param>
    /// <param name="oauthResource">See <see cref="DynatraceSecurityOptions.OAuthResource"/>.</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message says what to fix.</exception>
    public static LoggerConfiguration DynatraceSecurity(
        this LoggerSinkConfiguration loggerSinkConfiguration,
        string? environmentUrl = null,
        string? accessToken = null,
        string? endpoint = null,
        DynatraceSecurityRoute? route = null,
        LogEventLevel? restrictedToMinimumLevel = null,
        LoggingLevelSwitch? levelSwitch = null,
        int? batchSizeLimit = null,
        int? batchSizeLimitBytes = null,
        TimeSpan? bufferingTimeLimit = null,
        int? queueLimit = null,
        TimeSpan? retryTimeLimit = null,
        string? markerProperty = null,
        string? defaultEventType = null,
        string? eventProvider = null,
        string? productName = null,
        string? productVendor = null,
        IDictionary<string, string>? staticAttributes = null,
        HttpMessageHandler? messageHandler = null,
        long? queueLimitBytes = null,
        TimeSpan? requestTimeout = null,
        TimeSpan? shutdownTimeout = null,
        IDictionary<string, string>? propertyNames = null,
        string[]? redactedProperties = null,
        int? eventBodyLimitBytes = null,
        DynatraceSecurityCompression? compression = null,
        string? undeliveredEventsPath = null,
        long? undeliveredEventsSizeLimitBytes = null,
        string? enrichmentDirectory = null,
        string? bufferPath = null,
        long? bufferSizeLimitBytes = null,
        string? oauthClientId = null,
        string? oauthClientSecret = null,
        string? oauthTokenUrl = null,
        string? oauthScope = null,
        string? oauthResource = null)
    {
        return loggerSinkConfiguration.DynatraceSecurity(options =>
        {
            options.EnvironmentUrl = environmentUrl ?? options.EnvironmentUrl;
            options.AccessToken = accessToken ?? options.AccessToken;
            options.Endpoint = endpoint ?? options.Endpoint;
            options.Route = route ?? options.Route;
            options.RestrictedToMinimumLevel = restrictedToMinimumLevel ?? options.RestrictedToMinimumLevel;
            options.LevelSwitch = levelSwitch ?? options.LevelSwitch;
            options.BatchSizeLimit = batchSizeLimit ?? options.BatchSizeLimit;
            options.BatchSizeLimitBytes = batchSizeLimitBytes ?? options.BatchSizeLimitBytes;
            options.BufferingTimeLimit = bufferingTimeLimit ?? options.BufferingTimeLimit;
            options.QueueLimit = queueLimit ?? options.QueueLimit;
            options.RetryTimeLimit = retryTimeLimit ?? options.RetryTimeLimit;
            options.MarkerProperty = markerProperty ?? options.MarkerProperty;
            options.DefaultEventType = defaultEventType ?? options.DefaultEventType;
            options.EventProvider = eventProvider ?? options.EventProvider;
            options.ProductName = productName ?? options.ProductName;
            options.ProductVendor = productVendor ?? options.ProductVendor;
            options.StaticAttributes = staticAttributes ?? options.StaticAttributes;
            options.MessageHandler = messageHandler ?? options.MessageHandler;
            options.QueueLimitBytes = queueLimitBytes ?? options.QueueLimitBytes;
            options.RequestTimeout = requestTimeout ?? options.RequestTimeout;
            options.ShutdownTimeout = shutdownTimeout ?? options.ShutdownTimeout;
            options.PropertyNames = propertyNames ?? options.PropertyNames;
            options.RedactedProperties = redactedProperties ?? options.RedactedProperties;
            options.EventBodyLimitBytes = eventBodyLimitBytes ?? options.EventBodyLimitBytes;
            options.Compression = compression ?? options.Compression;
            options.UndeliveredEventsPath = undeliveredEventsPath ?? options.UndeliveredEventsPath;
            options.UndeliveredEventsSizeLimitBytes = undeliveredEventsSizeLimitBytes ?? options.UndeliveredEventsSizeLimitBytes;
            options.EnrichmentDirectory = enrichmentDirectory ?? options.EnrichmentDirectory;
            options.BufferPath = bufferPath ?? options.BufferPath;
            options.BufferSizeLimitBytes = bufferSizeLimitBytes ?? options.BufferSizeLimitBytes;
            options.OAuthClientId = oauthClientId ?? options.OAuthClientId;
            options.OAuthClientSecret = oauthClientSecret ?? options.OAuthClientSecret;
            options.OAuthTokenUrl = oauthTokenUrl ?? options.OAuthTokenUrl;
            options.OAuthScope = oauthScope ?? options.OAuthScope;
            options.OAuthResource = oauthResource ?? options.OAuthResource;
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
