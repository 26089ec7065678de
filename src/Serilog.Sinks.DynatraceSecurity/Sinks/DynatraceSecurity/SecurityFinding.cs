using System;
using System.Collections.Generic;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// What a security finding is about and what it is called, for <c>ForSecurityEvent</c>, <c>LogSecurityEvent</c> and
/// <c>BeginSecurityScope</c>: each value that is set is added to the events under Dynatrace's field name, in place of the
/// sink's default (see docs/events.md's field table); a value left null keeps the default.
/// </summary>
/// <example>
/// <code>
/// logger.ForSecurityEvent(new SecurityFinding { ObjectType = "USER_ACCOUNT", ObjectId = userName, Title = "Account locked" })
///       .Error("Account {UserName} locked after {Attempts} failed logins", userName, attempts);
/// </code>
/// </example>
public sealed class SecurityFinding
{
    /// <summary>Describes a finding of type <paramref name="eventType"/>.</summary>
    /// <param name="eventType">The Dynatrace <c>event.type</c>; see <see cref="SecurityEventTypes"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> is null, empty or white space.</exception>
    public SecurityFinding(string eventType = SecurityEventTypes.DetectionFinding)
    {
        EventType = RequireEventType(eventType);
    }

    /// <summary>The Dynatrace <c>event.type</c>, which also marks the events as security events.</summary>
    public string EventType { get; }

    /// <summary><c>finding.type</c>, such as <c>Brute force</c>; by default the <c>EventId.Name</c> or message template.</summary>
    public string? Type { get; set; }

    /// <summary><c>finding.title</c>: the finding's display title; by default the message, cut to 256 characters.</summary>
    public string? Title { get; set; }

    /// <summary><c>object.type</c>, such as <c>USER_ACCOUNT</c> or <c>HOST</c>; by default <c>PROCESS</c>, the application.</summary>
    public string? ObjectType { get; set; }

    /// <summary><c>object.id</c>: which one, such as the account name; by default the application's name.</summary>
    public string? ObjectId { get; set; }

    /// <summary>The values that are set, under Dynatrace's field names.</summary>
    internal List<KeyValuePair<string, object?>> Attributes()
    {
        var attributes = new List<KeyValuePair<string, object?>>(4);
        Add(attributes, "finding.type", Type);
        Add(attributes, "finding.title", Title);
        Add(attributes, "object.type", ObjectType);
        Add(attributes, "object.id", ObjectId);
        return attributes;
    }

    /// <summary>The check of every event type a caller passes.</summary>
    internal static string RequireEventType(string eventType) =>
        string.IsNullOrWhiteSpace(eventType)
            ? throw new ArgumentException(
                "The security event type must be a non-empty string such as SecurityEventTypes.DetectionFinding.", nameof(eventType))
            : eventType;

    static void Add(List<KeyValuePair<string, object?>> attributes, string name, string? value)
    {
        if (value != null)
            attributes.Add(new KeyValuePair<string, object?>(name, value));
    }
}
