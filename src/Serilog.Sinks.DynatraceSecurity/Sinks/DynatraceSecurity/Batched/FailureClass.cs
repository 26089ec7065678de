namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>What a failed request's status says about sending it again.</summary>
internal enum FailureClass
{
    /// <summary>Network errors, timeouts, 408, 429, 500, 502, 503, 504: retry with backoff.</summary>
    Transient,

    /// <summary>401, 403, 404: an operator can fix the token or the endpoint without a restart; retry with backoff.</summary>
    Configuration,

    /// <summary>Any other status: sending the same request again cannot succeed.</summary>
    Permanent,
}
