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
    /// Each parameter sets the <see cref="DynatraceSecurityOptions"/> property of the same name, documented there; null
    /// keeps its default. <paramref name="environmentUrl"/> is required (its default only lets a configuration file that
    /// leaves it out fail with a clear message).
    /// </summary>
    /// <param name="loggerAuditSinkConfiguration">The audit sink configuration.</param>
    /// <param name="environmentUrl">See <see cref="DynatraceSecurityOptions.EnvironmentUrl"/>.</param>
    /// <param name="accessToken">See <see cref="DynatraceSecurityOptions.AccessToken"/>.</param>
    /// <param name="endpoint">See <see cref="DynatraceSecurityOptions.Endpoint"/>.</param>
    /// <param name="route">See <see cref="DynatraceSecurityOptions.Route"/>.</param>
    /// <param name="restrictedToMinimumLevel">See <see cref="DynatraceSecurityOptions.RestrictedToMinimumLevel"/>.</param>
    /// <param name="levelSwitch">See <see cref="DynatraceSecurityOptions.LevelSwitch"/>.</param>
    /// <param name="markerProperty">See <see cref="DynatraceSecurityOptions.MarkerProperty"/>.</param>
    /// <param name="defaultEventType">See <see cref="DynatraceSecurityOptions.DefaultEventType"/>.</param>
    /// <param name="eventProvider">See <see cref="DynatraceSecurityOptions.EventProvider"/>.</param>
    /// <param name="productName">See <see cref="DynatraceSecurityOptions.ProductName"/>.</param>
    /// <param name="productVendor">See <see cref="DynatraceSecurityOptions.ProductVendor"/>.</param>
    /// <param name="staticAttributes">See <see cref="DynatraceSecurityOptions.StaticAttributes"/>.</param>
    /// <param name="messageHandler">See <see cref="DynatraceSecurityOptions.MessageHandler"/>.</param>
    /// <param name="requestTimeout">See <see cref="DynatraceSecurityOptions.RequestTimeout"/>.</param>
    /// <param name="propertyNames">See <see cref="DynatraceSecurityOptions.PropertyNames"/>.</param>
    /// <param name="redactedProperties">See <see cref="DynatraceSecurityOptions.RedactedProperties"/>.</param>
    /// <param name="eventBodyLimitBytes">See <see cref="DynatraceSecurityOptions.EventBodyLimitBytes"/>.</param>
    /// <param name="enrichmentDirectory">See <see cref="DynatraceSecurityOptions.EnrichmentDirectory"/>.</param>
    /// <param name="oauthClientId">See <see cref="DynatraceSecurityOptions.OAuthClientId"/>.</param>
    /// <param name="oauthClientSecret">See <see cref="DynatraceSecurityOptions.OAuthClientSecret"/>.</param>
    /// <param name="oauthTokenUrl">See <see cref="DynatraceSecurityOptions.OAuthTokenUrl"/>.</param>
    /// <param name="oauthScope">See <see cref="DynatraceSecurityOptions.OAuthScope"/>.</param>
    /// <param name="oauthResource">See <see cref="DynatraceSecurityOptions.OAuthResource"/>.</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message says what to fix.</exception>
    public static LoggerConfiguration DynatraceSecurity(
        this LoggerAuditSinkConfiguration loggerAuditSinkConfiguration,
        string? environmentUrl = null,
        string? accessToken = null,
        string? endpoint = null,
        DynatraceSecurityRoute? route = null,
        LogEventLevel? restrictedToMinimumLevel = null,
        LoggingLevelSwitch? levelSwitch = null,
        string? markerProperty = null,
        string? defaultEventType = null,
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
            options.EnvironmentUrl = environmentUrl ?? options.EnvironmentUrl;
            options.AccessToken = accessToken ?? options.AccessToken;
            options.Endpoint = endpoint ?? options.Endpoint;
            options.Route = route ?? options.Route;
            options.RestrictedToMinimumLevel = restrictedToMinimumLevel ?? options.RestrictedToMinimumLevel;
            options.LevelSwitch = levelSwitch ?? options.LevelSwitch;
            options.MarkerProperty = markerProperty ?? options.MarkerProperty;
            options.DefaultEventType = defaultEventType ?? options.DefaultEventType;
            options.EventProvider = eventProvider ?? options.EventProvider;
            options.ProductName = productName ?? options.ProductName;
            options.ProductVendor = productVendor ?? options.ProductVendor;
            options.StaticAttributes = staticAttributes ?? options.StaticAttributes;
            options.MessageHandler = messageHandler ?? options.MessageHandler;
            options.RequestTimeout = requestTimeout ?? options.RequestTimeout;
            options.PropertyNames = propertyNames ?? options.PropertyNames;
            options.RedactedProperties = redactedProperties ?? options.RedactedProperties;
            options.EventBodyLimitBytes = eventBodyLimitBytes ?? options.EventBodyLimitBytes;
            options.EnrichmentDirectory = enrichmentDirectory ?? options.EnrichmentDirectory;
            options.OAuthClientId = oauthClientId ?? options.OAuthClientId;
            options.OAuthClientSecret = oauthClientSecret ?? options.OAuthClientSecret;
            options.OAuthTokenUrl = oauthTokenUrl ?? options.OAuthTokenUrl;
            options.OAuthScope = oauthScope ?? options.OAuthScope;
            options.OAuthResource = oauthResource ?? options.OAuthResource;
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
