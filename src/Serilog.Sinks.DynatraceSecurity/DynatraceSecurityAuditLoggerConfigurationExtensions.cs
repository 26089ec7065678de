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
    /// Sends each event that carries the security marker to Dynatrace before the logging call returns, and throws when
    /// Dynatrace did not accept it (2xx): Serilog passes the <see cref="DynatraceSecurityAuditException"/> on to the
    /// caller, wrapped in an <see cref="AggregateException"/>. No batching, queue or retry: each marked event costs one
    /// request's latency on the logging thread. Other events are ignored. Each parameter sets the
    /// <see cref="DynatraceSecurityOptions"/> property of the same name; null keeps its default.
    /// <paramref name="environmentUrl"/> is required (its default lets a configuration file that leaves it out fail with
    /// a clear message).
    /// </summary>
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
    /// <see cref="DynatraceSecurityOptions"/>.
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
