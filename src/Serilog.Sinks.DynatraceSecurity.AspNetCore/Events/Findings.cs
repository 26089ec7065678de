using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;

/// <summary>
/// The catalogue: each kind of event, its OWASP Logging Vocabulary name (<c>finding.type</c>, and the name of its
/// <see cref="EventId"/>) and the fixed text of its <c>event.description</c>. The risk of an occurrence is its level:
/// Information LOW, Warning MEDIUM, Error HIGH (OWASP's INFO, WARN, CRITICAL).
/// </summary>
internal static class Findings
{
    /// <summary>The logger category of every event of this package.</summary>
    public const string Category = "Serilog.Sinks.DynatraceSecurity.AspNetCore";

    public static readonly Finding LoginFail = new(new EventId(1, "authn_login_fail"), "An Identity sign-in failed");
    public static readonly Finding LoginLock = new(new EventId(2, "authn_login_lock"), "An account was locked after failed sign-ins");
    public static readonly Finding TokenInvalid = new(new EventId(3, "authn_token_invalid"), "A request was rejected because its credential failed validation");
    public static readonly Finding AuthorizationFail = new(new EventId(4, "authz_fail"), "An authenticated user was denied access by an authorization policy");
    public static readonly Finding RateLimitExceeded = new(new EventId(5, "excess_rate_limit_exceeded"), "The rate-limiting middleware rejected a request");
    public static readonly Finding InputValidationFail = new(new EventId(6, "input_validation_fail"), "Antiforgery validation failed");
}

/// <summary>One kind of event: its event id (whose name is the OWASP name) and its description.</summary>
internal sealed record Finding(EventId EventId, string Description)
{
    public string Type => EventId.Name!;
}
