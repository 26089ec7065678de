using System;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>The outcome of one POST to the ingest endpoint.</summary>
internal sealed class IngestResult
{
    IngestResult(int statusCode, string? errorMessage, TimeSpan? retryAfter, Exception? exception)
    {
        StatusCode = statusCode;
        ErrorMessage = errorMessage;
        RetryAfter = retryAfter;
        Exception = exception;
    }

    public static readonly IngestResult Accepted = new(202, null, null, null);

    /// <summary>The HTTP status; 0 when no response arrived (network error or timeout).</summary>
    public int StatusCode { get; }

    /// <summary>Dynatrace's error message or a description of the network failure (bounded, token removed).</summary>
    public string? ErrorMessage { get; }

    /// <summary>How long the endpoint asked us to wait (<c>Retry-After</c>, seconds or an HTTP date), when it did.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>A sanitized exception describing the failure, for the failure listener.</summary>
    public Exception? Exception { get; }

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public static IngestResult Success(int statusCode) => statusCode == 202 ? Accepted : new IngestResult(statusCode, null, null, null);

    public static IngestResult Failure(int statusCode, string? errorMessage, TimeSpan? retryAfter, Exception exception) =>
        new(statusCode, errorMessage, retryAfter, exception);

    public static IngestResult NoResponse(string description, Exception exception) =>
        new(0, description, null, exception);

    public override string ToString() => StatusCode == 0 ? ErrorMessage ?? "no response" : StatusCode + (ErrorMessage == null ? "" : ": " + ErrorMessage);
}
