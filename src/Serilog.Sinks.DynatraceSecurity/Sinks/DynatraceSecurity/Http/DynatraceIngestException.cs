using System;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>A failed ingest request for the failure listener: status and message, never a secret or an event.</summary>
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
