using System;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// Thrown by <c>AuditTo.DynatraceSecurity(...)</c> when Dynatrace did not accept a security event (Serilog wraps it in an
/// <see cref="AggregateException"/>). The message says what happened; it never contains the token or the event.
/// </summary>
public sealed class DynatraceSecurityAuditException : Exception
{
    internal DynatraceSecurityAuditException(string message, int statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status Dynatrace answered with, or 0 when no answer arrived or the request was not sent.</summary>
    public int StatusCode { get; }
}
