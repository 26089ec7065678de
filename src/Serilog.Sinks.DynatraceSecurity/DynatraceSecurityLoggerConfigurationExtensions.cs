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
    /// Each parameter sets the <see cref="DynatraceSecuritySinkOptions"/> property of the same name; null keeps its
    /// default. <paramref name="environmentUrl"/> is required (its default lets a configuration file that leaves it out,
    /// or misspells it, fail with a message instead of silently adding no sink).
    /// </summary>
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
