using System;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// What the answer to one request means: the whole delivery policy, as the README's table states it. Pure functions
/// of what happened, so every row is unit-tested without a network or a clock; <see cref="RequestSender"/> carries the
/// decisions out.
/// </summary>
internal static class DeliveryPolicy
{
    /// <summary>The longest wait a <c>Retry-After</c> can impose.</summary>
    public static readonly TimeSpan MaximumRetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many 413 answers a request gets before they count as proof that it is too large when the answer is in doubt:
    /// a request of several events no larger than one the endpoint has accepted (then it is cut smaller), or a single
    /// event larger than any accepted (then it is dropped). A single event no larger than one accepted is never taken
    /// as too large: it is retried like a transient failure. A proxy's or a busy tenant's passing 413 must neither shrink
    /// requests for good nor drop an event that fits.
    /// </summary>
    public const int TooLargeAnswersBeforeProof = 3;

    /// <summary>
    /// A single event no larger than this is never taken as too large, however often it gets a 413: Dynatrace's limits
    /// are megabytes (10 MB for OpenPipeline, 1 MB for the API in general), so such a 413 is about something else (an
    /// episode, a proxy) and the event is retried like a transient failure.
    /// </summary>
    public const int NeverTooLargeBytes = 64 * 1024;

    /// <summary>The table: what to do after one answer.</summary>
    public static Decision Decide(in Attempt attempt)
    {
        var result = attempt.Result;
        if (result.FromTokenEndpoint)
            return Decision.Retry(TokenFailureClass(result));
        if (ReauthenticatesAfter(result, attempt.Reauthenticated))
            return Decision.Reauthenticate;
        if (result.IsSuccess)
            return Decision.Delivered;

        if (result.RedirectHost == null)
        {
            // The answers about these events themselves: compression, content, size.
            switch (result.StatusCode)
            {
                case 415 when attempt.Compressed:
                case 400 when attempt.Compressed && !attempt.CompressionProven:
                    // Dynatrace does not document gzip: the same events go once more uncompressed.
                    return Decision.ResendUncompressed;
                case 400:
                    return attempt.EventCount > 1 ? Decision.Bisect : Decision.Drop(DropReason.Rejected);
                case 413 when attempt.EventCount == 1:
                    return attempt.Length <= Math.Max(attempt.ProvenFitsBytes, NeverTooLargeBytes) || attempt.TooLargeAnswers < TooLargeAnswersBeforeProof
                        ? Decision.Retry(FailureClass.TooLargeUnproven)
                        : Decision.Drop(DropReason.TooLarge);
                case 413:
                    return attempt.Length <= attempt.ProvenFitsBytes && attempt.TooLargeAnswers < TooLargeAnswersBeforeProof
                        ? Decision.Retry(FailureClass.TooLargeUnproven)
                        : Decision.CutSmaller;
            }
        }

        // Redirects, configuration and transient failures are retried; anything else is a rejection.
        var failureClass = ClassOf(result);
        return failureClass == FailureClass.None ? Decision.Drop(DropReason.Rejected) : Decision.Retry(failureClass);
    }

    /// <summary>
    /// A token request that failed sent nothing, so the events are never dropped for it: network errors, timeouts, 408,
    /// 429 and 5xx are transient; anything else (400/401 <c>invalid_client</c>, <c>invalid_scope</c>, a redirect, an
    /// answer without a token) needs the client's settings or permissions fixed, and is retried like a 401 meanwhile.
    /// </summary>
    public static FailureClass TokenFailureClass(IngestResult result) =>
        result.RedirectHost == null && result.StatusCode is 0 or 408 or 429 or >= 500 ? FailureClass.Transient : FailureClass.Configuration;

    /// <summary>
    /// What kind of failure one answer is, apart from what its events' content or size says (<see cref="Decide"/> looks
    /// at that first): the class a retry is for, or <see cref="FailureClass.None"/> for a rejection. Audit mode, which
    /// neither retries nor splits, takes its hint from it.
    /// </summary>
    public static FailureClass ClassOf(IngestResult result) =>
        result.FromTokenEndpoint ? TokenFailureClass(result)
        : result.RedirectHost != null || result.StatusCode is 401 or 403 or 404 ? FailureClass.Configuration
        : result.StatusCode is 0 or 408 or 429 or >= 500 ? FailureClass.Transient
        : FailureClass.None;

    /// <summary>
    /// A 401 for a request that carried an OAuth token: the token may have been revoked or have expired early, so it is
    /// discarded and the request sent once more at once with a new one. A second 401 is handled like any 401.
    /// </summary>
    public static bool ReauthenticatesAfter(IngestResult result, bool reauthenticated) =>
        result.StatusCode == 401 && result.RenewableCredential != null && !reauthenticated;

    /// <summary>
    /// When a failed request is tried again (after the <paramref name="backoff"/> drawn for it, or the
    /// <c>Retry-After</c> of <paramref name="result"/>), or that it is given up. It is retried until
    /// <paramref name="retryTimeLimit"/> has passed since its first failure (<paramref name="failingFor"/> ago): the last
    /// wait is shortened to end at the limit, for one last attempt then. A <c>Retry-After</c> that ends after the limit
    /// leaves no attempt within it, so the request is given up at once. When <paramref name="shuttingDown"/>, its last
    /// attempt has been made.
    /// </summary>
    public static RetryDecision ScheduleRetry(IngestResult result, TimeSpan backoff, TimeSpan failingFor, TimeSpan retryTimeLimit, bool shuttingDown)
    {
        var delay = backoff;
        TimeSpan? paceEveryone = null;
        if (result.RetryAfter is { } retryAfter && result.StatusCode is 429 or 503)
        {
            // The endpoint asked every client to slow down: this request and every later one wait.
            if (retryAfter > MaximumRetryAfter)
                retryAfter = MaximumRetryAfter;
            if (retryAfter > delay)
                delay = retryAfter;
            paceEveryone = retryAfter;
        }

        // The endpoint's wish holds for later requests even when this one is given up.
        if (shuttingDown)
            return RetryDecision.GiveUp(DropReason.Shutdown, paceEveryone);
        var left = retryTimeLimit - failingFor;
        if (left <= TimeSpan.Zero || paceEveryone > left)
            return RetryDecision.GiveUp(DropReason.RetryTimeLimitExceeded, paceEveryone);
        return RetryDecision.After(delay < left ? delay : left, paceEveryone);
    }
}

/// <summary>The facts about one answered request that the policy needs.</summary>
internal readonly struct Attempt
{
    public Attempt(IngestResult result, int eventCount, int length, bool compressed, bool compressionProven, int provenFitsBytes, int tooLargeAnswers,
        bool reauthenticated = false)
    {
        Reauthenticated = reauthenticated;
        Result = result;
        EventCount = eventCount;
        Length = length;
        Compressed = compressed;
        CompressionProven = compressionProven;
        ProvenFitsBytes = provenFitsBytes;
        TooLargeAnswers = tooLargeAnswers;
    }

    public IngestResult Result { get; }
    public int EventCount { get; }

    /// <summary>The uncompressed body length.</summary>
    public int Length { get; }

    public bool Compressed { get; }

    /// <summary>True once the endpoint has accepted a compressed request.</summary>
    public bool CompressionProven { get; }

    /// <summary>The largest body the endpoint has accepted.</summary>
    public int ProvenFitsBytes { get; }

    /// <summary>The 413 answers this request got so far, this one included.</summary>
    public int TooLargeAnswers { get; }

    /// <summary>True when this answer came after a 401 made the request go again with a new OAuth token.</summary>
    public bool Reauthenticated { get; }
}

internal enum DeliveryAction
{
    Delivered,
    Retry,
    ResendUncompressed,

    /// <summary>Send the same request again at once, with a new OAuth token (after a 401).</summary>
    Reauthenticate,
    CutSmaller,
    Bisect,
    Drop,
}

/// <summary>Why a request is retried, for the hint in its report.</summary>
internal enum FailureClass
{
    None,

    /// <summary>Network errors, timeouts, 408, 429, 5xx (of the ingest or the token endpoint): retry with backoff.</summary>
    Transient,

    /// <summary>
    /// 401, 403, 404 and redirects, and token requests refused for the client's settings or permissions: an operator can
    /// fix the token, the OAuth client, permissions or URL without a restart.
    /// </summary>
    Configuration,

    /// <summary>A 413 for a request no larger than one accepted recently: not yet proof of anything.</summary>
    TooLargeUnproven,
}

internal readonly struct Decision
{
    Decision(DeliveryAction action, FailureClass failureClass, DropReason reason)
    {
        Action = action;
        FailureClass = failureClass;
        Reason = reason;
    }

    public static Decision Delivered => new(DeliveryAction.Delivered, FailureClass.None, default);
    public static Decision ResendUncompressed => new(DeliveryAction.ResendUncompressed, FailureClass.None, default);
    public static Decision Reauthenticate => new(DeliveryAction.Reauthenticate, FailureClass.None, default);
    public static Decision CutSmaller => new(DeliveryAction.CutSmaller, FailureClass.None, default);
    public static Decision Bisect => new(DeliveryAction.Bisect, FailureClass.None, default);

    public static Decision Retry(FailureClass failureClass) => new(DeliveryAction.Retry, failureClass, default);

    public static Decision Drop(DropReason reason) => new(DeliveryAction.Drop, FailureClass.None, reason);

    public DeliveryAction Action { get; }
    public FailureClass FailureClass { get; }
    public DropReason Reason { get; }

    public override string ToString() => Action switch
    {
        DeliveryAction.Retry => "Retry(" + FailureClass + ")",
        DeliveryAction.Drop => "Drop(" + Reason + ")",
        _ => Action.ToString(),
    };
}

internal readonly struct RetryDecision
{
    RetryDecision(bool giveUp, DropReason reason, TimeSpan delay, TimeSpan? paceEveryone)
    {
        IsGiveUp = giveUp;
        Reason = reason;
        Delay = delay;
        PaceEveryone = paceEveryone;
    }

    public static RetryDecision GiveUp(DropReason reason, TimeSpan? paceEveryone = null) => new(true, reason, TimeSpan.Zero, paceEveryone);

    public static RetryDecision After(TimeSpan delay, TimeSpan? paceEveryone) => new(false, default, delay, paceEveryone);

    public bool IsGiveUp { get; }
    public DropReason Reason { get; }
    public TimeSpan Delay { get; }

    /// <summary>How long no request at all may start (a <c>Retry-After</c>), when the endpoint asked for it.</summary>
    public TimeSpan? PaceEveryone { get; }
}
