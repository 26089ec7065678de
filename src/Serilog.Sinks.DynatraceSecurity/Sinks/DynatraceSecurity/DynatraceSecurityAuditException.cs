using System;

namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// Thrown by <c>AuditTo.DynatraceSecurity(...)</c> when a security event was not accepted by Dynatrace: the endpoint
/// answered with a status other than 2xx, did not answer in time, could not be reached, or the event could not be
/// written as JSON. Serilog passes it on to the logging call (wrapped in an <see cref="AggregateException"/>).
/// The message says what happened (status, route and Dynatrace's error message); it never contains the access token
/// or the event.
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
