using System;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// What the answer to one request means, and what to do next: docs/delivery.md's table as one pure function of what
/// happened (<see cref="Decide"/>), unit-tested row by row without a network or a clock; <see cref="RequestSender"/>
/// carries the decisions out.
/// </summary>
internal static class DeliveryPolicy
{
    public static readonly TimeSpan MaximumRetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many 413s prove a request too large when that is in doubt: a proxy's or a busy tenant's passing 413 must
    /// neither shrink requests for good nor drop an event that fits.
    /// </summary>
    public const int TooLargeAnswersBeforeProof = 3;

    /// <summary>
    /// A single event no larger than this is never taken as too large, however often it gets a 413: Dynatrace's limits
    /// are megabytes (10 MB for OpenPipeline, 1 MB for the API in general), so such a 413 is about something else.
    /// </summary>
    public const int NeverTooLargeBytes = 64 * 1024;

    /// <summary>
    /// What to do after one answer. <paramref name="length"/> is uncompressed, <paramref name="tooLargeAnswers"/> counts
    /// this one, <paramref name="failingFor"/> is zero at the first failure; when <paramref name="shuttingDown"/>, this was
    /// the last attempt.
    /// </summary>
    public static Decision Decide(IngestResult result, int eventCount, int length, bool compressed = false, bool compressionProven = false,
        int provenFitsBytes = 0, int tooLargeAnswers = 0, DeliveryMode mode = DeliveryMode.Live, TimeSpan backoff = default,
        TimeSpan failingFor = default, TimeSpan? retryTimeLimit = null, bool shuttingDown = false)
    {
        if (result.IsSuccess)
            return new Decision(DeliveryAction.Delivered);

        if (result.RedirectHost == null && !result.FromTokenEndpoint)
        {
            // The answers about these events themselves: compression, content, size.
            switch (result.StatusCode)
            {
                case 415 when compressed:
                case 400 when compressed && !compressionProven:
                    // Dynatrace does not document gzip: the same events go once more uncompressed.
                    return new Decision(DeliveryAction.ResendUncompressed);
                case 400:
                    return eventCount > 1 ? new Decision(DeliveryAction.Bisect) : Decision.Drop(DropReason.Rejected);
                case 413 when eventCount == 1:
                    return length <= Math.Max(provenFitsBytes, NeverTooLargeBytes) || tooLargeAnswers < TooLargeAnswersBeforeProof
                        ? AfterFailure(FailureClass.TooLargeUnproven)
                        : Decision.Drop(DropReason.TooLarge);
                case 413:
                    return length <= provenFitsBytes && tooLargeAnswers < TooLargeAnswersBeforeProof
                        ? AfterFailure(FailureClass.TooLargeUnproven)
                        : new Decision(DeliveryAction.CutSmaller);
            }
        }

        var failureClass = ClassOf(result);
        return failureClass == FailureClass.None ? Decision.Drop(DropReason.Rejected) : AfterFailure(failureClass);

        // After a failure that may pass (docs/delivery.md). A doubtful 413 that can be tried no more proves nothing: the
        // request is cut in halves (a single event is given up).
        Decision AfterFailure(FailureClass failureClass)
        {
            TimeSpan? paceEveryone = null;
            var delay = backoff;
            if (result.RetryAfter is { } retryAfter && result.StatusCode is 429 or 503)
            {
                paceEveryone = retryAfter > MaximumRetryAfter ? MaximumRetryAfter : retryAfter;
                if (paceEveryone > delay)
                    delay = paceEveryone.Value;
            }

            if (failureClass != FailureClass.TooLargeUnproven && mode != DeliveryMode.Live)
            {
                var action = mode == DeliveryMode.Replaying ? DeliveryAction.Defer : DeliveryAction.Spill;
                return new Decision(action, failureClass, paceEveryone: paceEveryone);
            }

            var left = (retryTimeLimit ?? TimeSpan.MaxValue) - failingFor;
            DropReason? giveUp = shuttingDown ? DropReason.Shutdown
                : left <= TimeSpan.Zero || paceEveryone > left ? DropReason.RetryTimeLimitExceeded
                : null;
            if (giveUp == null)
                return new Decision(DeliveryAction.Retry, failureClass, delay: delay < left ? delay : left, paceEveryone: paceEveryone);
            return failureClass == FailureClass.TooLargeUnproven && eventCount > 1
                ? new Decision(DeliveryAction.CutSmaller, failureClass, paceEveryone: paceEveryone)
                : new Decision(DeliveryAction.GiveUp, failureClass, giveUp.Value, paceEveryone: paceEveryone);
        }
    }

    /// <summary>
    /// The class of a failure apart from its events' content or size, or <see cref="FailureClass.None"/> for a rejection.
    /// A failed token request sent nothing, so its events are never rejected for it. The audit sink, which neither
    /// retries nor splits, takes its hint from it.
    /// </summary>
    public static FailureClass ClassOf(IngestResult result) =>
        result.FromTokenEndpoint
            ? result.RedirectHost == null && result.StatusCode is 0 or 408 or 429 or >= 500 ? FailureClass.Transient : FailureClass.Configuration
        : result.RedirectHost != null || result.StatusCode is 401 or 403 or 404 ? FailureClass.Configuration
        : result.StatusCode is 0 or 408 or 429 or >= 500 ? FailureClass.Transient
        : FailureClass.None;
}

/// <summary>What a sender does with a request that failed in a way that may pass.</summary>
internal enum DeliveryMode
{
    /// <summary>Retry in memory, within <c>retryTimeLimit</c>.</summary>
    Live,
    /// <summary>Live with a durable buffer: write the request to disk at once, for the replayer.</summary>
    Durable,
    /// <summary>The replayer's: leave the request on disk, for a later try.</summary>
    Replaying,
}

internal enum DeliveryAction
{
    Delivered,
    Retry,
    ResendUncompressed,
    CutSmaller,
    Bisect,
    /// <summary>Retrying cannot help.</summary>
    Drop,
    /// <summary>Retrying could help, but no more attempt may be made.</summary>
    GiveUp,
    /// <summary>Write the request to the durable buffer.</summary>
    Spill,
    /// <summary>Leave the request on disk for a later try.</summary>
    Defer,
}

/// <summary>Why a request is retried, for the hint in its report.</summary>
internal enum FailureClass
{
    None,
    /// <summary>Network errors, timeouts, 408, 429, 5xx (of the ingest or the token endpoint): retry with backoff.</summary>
    Transient,
    /// <summary>401, 403, 404, redirects, token requests refused for the client's settings: an operator can fix them.</summary>
    Configuration,
    /// <summary>A 413 for a request no larger than one accepted recently: not yet proof of anything.</summary>
    TooLargeUnproven,
}

internal readonly struct Decision
{
    public Decision(DeliveryAction action, FailureClass failureClass = FailureClass.None, DropReason reason = default,
        TimeSpan delay = default, TimeSpan? paceEveryone = null)
    {
        Action = action;
        FailureClass = failureClass;
        Reason = reason;
        Delay = delay;
        PaceEveryone = paceEveryone;
    }

    public static Decision Drop(DropReason reason) => new(DeliveryAction.Drop, reason: reason);

    public DeliveryAction Action { get; }
    public FailureClass FailureClass { get; }
    public DropReason Reason { get; }

    public TimeSpan Delay { get; }

    /// <summary>How long no request at all may start (a <c>Retry-After</c>), when the endpoint asked for it.</summary>
    public TimeSpan? PaceEveryone { get; }

    public override string ToString() => Action switch
    {
        DeliveryAction.Retry or DeliveryAction.Spill or DeliveryAction.Defer => Action + "(" + FailureClass + ")",
        DeliveryAction.Drop or DeliveryAction.GiveUp => Action + "(" + Reason + ")",
        _ => Action.ToString(),
    };
}
