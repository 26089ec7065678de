using System;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>What one POST to the ingest endpoint produced; what it means is decided by <c>DeliveryPolicy</c>.</summary>
internal sealed class IngestResult
{
    public static readonly IngestResult Accepted = new(202, null, null, null, false);

    IngestResult(int statusCode, string? message, TimeSpan? retryAfter, string? redirectHost, bool timedOut)
    {
        StatusCode = statusCode;
        Message = message;
        RetryAfter = retryAfter;
        RedirectHost = redirectHost;
        TimedOut = timedOut;
    }

    /// <summary>The HTTP status; 0 when no response arrived (network error or timeout).</summary>
    public int StatusCode { get; }

    /// <summary>Dynatrace's error message, or what went wrong on the network (bounded, token removed).</summary>
    public string? Message { get; }

    /// <summary>How long the endpoint asked us to wait (<c>Retry-After</c>, seconds or an HTTP date), when it did.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// The host a 3xx answer pointed to, or that a handler followed a redirect to; null when there was no redirect.
    /// A redirected request never counts as delivered.
    /// </summary>
    public string? RedirectHost { get; }

    /// <summary>True when no response arrived before the request's timeout.</summary>
    public bool TimedOut { get; }

    public bool IsSuccess => StatusCode is >= 200 and < 300 && RedirectHost == null;

    public static IngestResult Answered(int statusCode, string? message = null, TimeSpan? retryAfter = null, string? redirectHost = null) =>
        statusCode == 202 && message == null && retryAfter == null && redirectHost == null
            ? Accepted
            : new IngestResult(statusCode, message, retryAfter, redirectHost, false);

    public static IngestResult NoResponse(string message) => new(0, message, null, null, false);

    public static IngestResult Timeout() => new(0, null, null, null, true);

    public override string ToString() => TimedOut ? "timeout" : StatusCode == 0 ? Message ?? "no response" : StatusCode + (Message == null ? "" : ": " + Message);
}
