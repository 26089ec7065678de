using System;
using System.Collections.Generic;
using Serilog.Sinks.DynatraceSecurity;
using Serilog.Sinks.DynatraceSecurity.Logging;

// Deliberately in the Microsoft.Extensions.Logging namespace, so that ILogger<T> users find these without a using.
namespace Microsoft.Extensions.Logging;

/// <summary>
/// Marks <see cref="ILogger"/> events as security events for the Dynatrace security sink, with the marker property that
/// <see cref="Serilog.SecurityEventLoggerExtensions.ForSecurityEvent(Serilog.ILogger, string)"/> adds on the Serilog side.
/// The marker reaches the sink through Serilog.Extensions.Logging (<c>AddSerilog()</c>, <c>UseSerilog()</c> or
/// <c>AddDynatraceSecurity(...)</c>).
/// </summary>
public static class SecurityEventLoggingExtensions
{
    /// <summary>
    /// Begins a scope in which every event is a security event of type <paramref name="eventType"/>, carrying
    /// <paramref name="attributes"/> as event attributes (keys are kept as given, so <c>actor.ips</c> arrives as
    /// <c>actor.ips</c>). Nested scopes combine; for a key set by several scopes the innermost wins.
    /// </summary>
    /// <param name="logger">The logger to begin the scope on.</param>
    /// <param name="eventType">The Dynatrace <c>event.type</c>; see <see cref="SecurityEventTypes"/>.</param>
    /// <param name="attributes">Attributes of every event in the scope; a property of the event itself wins.</param>
    /// <returns>The scope; dispose it to end the scope. Null when the logger does not support scopes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> or an attribute name is null, empty or white space.</exception>
    public static IDisposable? BeginSecurityScope(
        this ILogger logger,
        string eventType = SecurityEventTypes.DetectionFinding,
        IEnumerable<KeyValuePair<string, object?>>? attributes = null)
    {
        if (logger == null) throw new ArgumentNullException(nameof(logger));
        return logger.BeginScope(new SecurityScopeState(SecurityFinding.RequireEventType(eventType), null, attributes));
    }

    /// <summary>
    /// Begins a scope in which every event is a security event of <paramref name="finding"/>'s event type, carrying the
    /// finding's values (<c>finding.type</c>, <c>finding.title</c>, <c>object.type</c>, <c>object.id</c>) in place of the
    /// sink's defaults, and <paramref name="attributes"/> as event attributes.
    /// </summary>
    /// <param name="logger">The logger to begin the scope on.</param>
    /// <param name="finding">What the finding is about and what it is called; its values win over attributes.</param>
    /// <param name="attributes">Attributes of every event in the scope; a property of the event itself wins.</param>
    /// <returns>The scope; dispose it to end the scope. Null when the logger does not support scopes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> or <paramref name="finding"/> is null.</exception>
    /// <exception cref="ArgumentException">An attribute name is null, empty or white space.</exception>
    public static IDisposable? BeginSecurityScope(
        this ILogger logger,
        SecurityFinding finding,
        IEnumerable<KeyValuePair<string, object?>>? attributes = null)
    {
        if (logger == null) throw new ArgumentNullException(nameof(logger));
        if (finding == null) throw new ArgumentNullException(nameof(finding));
        return logger.BeginScope(new SecurityScopeState(finding.EventType, finding.Attributes(), attributes));
    }

    /// <summary>
    /// Writes a security event of type <paramref name="eventType"/>: a log event with a message template, like
    /// <c>logger.Log(level, message, args)</c>, that also carries the security marker.
    /// </summary>
    /// <param name="logger">The logger to write to.</param>
    /// <param name="level">The level; it becomes <c>finding.severity</c> (Critical <c>CRITICAL</c>, Error <c>HIGH</c>,
    /// Warning <c>MEDIUM</c>, lower <c>LOW</c>).</param>
    /// <param name="eventType">The Dynatrace <c>event.type</c>; see <see cref="SecurityEventTypes"/>.</param>
    /// <param name="message">The message template, such as <c>"Failed login for {UserName}"</c>.</param>
    /// <param name="args">The values of the template's placeholders.</param>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> is null, empty or white space.</exception>
    public static void LogSecurityEvent(this ILogger logger, LogLevel level, string eventType, string? message, params object?[] args) =>
        LogSecurityEvent(logger, level, eventType, null, message, args);

    /// <summary>Writes a security event of type <paramref name="eventType"/> with an exception.</summary>
    /// <param name="logger">The logger to write to.</param>
    /// <param name="level">The level; it becomes <c>finding.severity</c>.</param>
    /// <param name="eventType">The Dynatrace <c>event.type</c>; see <see cref="SecurityEventTypes"/>.</param>
    /// <param name="exception">The exception, or null.</param>
    /// <param name="message">The message template.</param>
    /// <param name="args">The values of the template's placeholders.</param>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> is null, empty or white space.</exception>
    public static void LogSecurityEvent(this ILogger logger, LogLevel level, string eventType, Exception? exception, string? message, params object?[] args)
    {
        if (logger == null) throw new ArgumentNullException(nameof(logger));
        SecurityFinding.RequireEventType(eventType);
        if (logger.IsEnabled(level))
            SecurityEventLogValues.Log(logger, level, eventType, null, exception, message, args);
    }

    /// <summary>
    /// Writes a security event of <paramref name="finding"/>'s event type, carrying the finding's values
    /// (<c>finding.type</c>, <c>finding.title</c>, <c>object.type</c>, <c>object.id</c>) in place of the sink's defaults:
    /// a log event with a message template, like <c>logger.Log(level, message, args)</c>.
    /// </summary>
    /// <param name="logger">The logger to write to.</param>
    /// <param name="level">The level; it becomes <c>finding.severity</c> and <c>dt.security.risk.level</c>.</param>
    /// <param name="finding">What the finding is about and what it is called.</param>
    /// <param name="message">The message template, such as <c>"Account {UserName} locked"</c>.</param>
    /// <param name="args">The values of the template's placeholders.</param>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> or <paramref name="finding"/> is null.</exception>
    public static void LogSecurityEvent(this ILogger logger, LogLevel level, SecurityFinding finding, string? message, params object?[] args) =>
        LogSecurityEvent(logger, level, finding, null, message, args);

    /// <summary>Writes a security event of <paramref name="finding"/>'s event type with an exception.</summary>
    /// <param name="logger">The logger to write to.</param>
    /// <param name="level">The level; it becomes <c>finding.severity</c> and <c>dt.security.risk.level</c>.</param>
    /// <param name="finding">What the finding is about and what it is called.</param>
    /// <param name="exception">The exception, or null.</param>
    /// <param name="message">The message template.</param>
    /// <param name="args">The values of the template's placeholders.</param>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> or <paramref name="finding"/> is null.</exception>
    public static void LogSecurityEvent(this ILogger logger, LogLevel level, SecurityFinding finding, Exception? exception, string? message, params object?[] args)
    {
        if (logger == null) throw new ArgumentNullException(nameof(logger));
        if (finding == null) throw new ArgumentNullException(nameof(finding));
        if (logger.IsEnabled(level))
            SecurityEventLogValues.Log(logger, level, finding.EventType, finding.Attributes(), exception, message, args);
    }
}
