using System;
using Serilog.Sinks.DynatraceSecurity;
using Serilog.Sinks.DynatraceSecurity.Logging;

namespace Serilog;

/// <summary>
/// Marks Serilog events as security events for the Dynatrace security sink.
/// </summary>
public static class SecurityEventLoggerExtensions
{
    /// <summary>
    /// The name of the property that marks an event as a security event, unless the sink is configured with
    /// another <c>markerProperty</c>.
    /// </summary>
    public const string DefaultMarkerProperty = "SecurityEvent";

    /// <summary>
    /// Returns a logger whose events carry the security marker (a property named <c>SecurityEvent</c> holding
    /// <paramref name="eventType"/>), so that <c>WriteTo.DynatraceSecurity(...)</c> sends them.
    /// </summary>
    /// <param name="logger">The logger to derive from.</param>
    /// <param name="eventType">The Dynatrace <c>event.type</c>; see <see cref="SecurityEventTypes"/>.</param>
    /// <returns>A logger that marks every event it writes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> is null, empty or white space.</exception>
    public static ILogger ForSecurityEvent(this ILogger logger, string eventType = SecurityEventTypes.DetectionFinding)
    {
        if (logger == null) throw new ArgumentNullException(nameof(logger));
        return logger.ForContext(DefaultMarkerProperty, SecurityFinding.RequireEventType(eventType));
    }

    /// <summary>
    /// Returns a logger whose events are security events of <paramref name="finding"/>'s event type and carry the
    /// finding's values (<c>finding.type</c>, <c>finding.title</c>, <c>object.type</c>, <c>object.id</c>) in place of the
    /// sink's defaults. A property the event itself has with the same name wins.
    /// </summary>
    /// <param name="logger">The logger to derive from.</param>
    /// <param name="finding">What the finding is about and what it is called.</param>
    /// <returns>A logger that marks every event it writes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="logger"/> or <paramref name="finding"/> is null.</exception>
    public static ILogger ForSecurityEvent(this ILogger logger, SecurityFinding finding)
    {
        if (logger == null) throw new ArgumentNullException(nameof(logger));
        if (finding == null) throw new ArgumentNullException(nameof(finding));

        return logger.ForContext(new SecurityFindingEnricher(finding));
    }
}
