using System;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// Describes a failed ingest request to the failure listener and SelfLog: status, route and Dynatrace's message.
/// Never carries the access token, request headers or the event payload.
/// </summary>
internal sealed class DynatraceIngestException : Exception
{
    public DynatraceIngestException(string message, int statusCode)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status, or 0 when no response arrived.</summary>
    public int StatusCode { get; }
}
