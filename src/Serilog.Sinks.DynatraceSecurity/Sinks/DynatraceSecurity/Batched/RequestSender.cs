using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// Sends one request until every event in it is accepted or reported. Never throws. The policy:
/// <list type="bullet">
/// <item><description>2xx: delivered.</description></item>
/// <item><description>413: split in halves and send each; an event that alone is too large is reported; later
/// requests are built to the size that worked (<see cref="RequestSizeLimit"/>).</description></item>
/// <item><description>400: bisect to isolate the events the endpoint rejects; deliver the rest, report only those.</description></item>
/// <item><description>Network errors, timeouts, 408, 429, 500, 502, 503, 504, and 401/403/404 (fixable without a
/// restart): retry the same bytes with backoff and jitter, not before a <c>Retry-After</c> (which also holds back every
/// later request), until <c>retryTimeLimit</c> has passed since the first failure.</description></item>
/// <item><description>Anything else: reported, not retried.</description></item>
/// <item><description>During shutdown: no waiting; one last attempt; after a failed attempt or past
/// <c>shutdownTimeout</c> the rest is reported as <c>Final</c> without being sent.</description></item>
/// </list>
/// Runs on the batching engine's single loop: not thread-safe.
/// </summary>
internal sealed class RequestSender
{
    /// <summary>The longest wait a <c>Retry-After</c> can impose.</summary>
    public static readonly TimeSpan MaximumRetryAfter = TimeSpan.FromMinutes(5);

    readonly IIngestClient _client;
    readonly RetryPolicy _policy;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly ShutdownSignal _shutdown;
    readonly RequestSizeLimit _sizeLimit;
    readonly string _route;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    TimeSpan _notBefore = TimeSpan.Zero;

    public RequestSender(IIngestClient client, RetryPolicy policy, FailureReporter reporter, SinkStatistics statistics,
        RequestSizeLimit sizeLimit, string route, ShutdownSignal shutdown)
    {
        _client = client;
        _policy = policy;
        _reporter = reporter;
        _statistics = statistics;
        _sizeLimit = sizeLimit;
        _route = route;
        _shutdown = shutdown;
    }

    public Task SendAsync(PendingRequest request) => SendAsync(request, null);

    async Task SendAsync(PendingRequest request, Stopwatch? sinceFirstFailure)
    {
        if (request.Events.Count > 1 && request.Length > _sizeLimit.Current)
        {
            // Built before the endpoint told us its limit (413): cut it to the size that works instead of paying
            // another 413 for it.
            await SendEachAsync(request.Chunk(_sizeLimit.Current), sinceFirstFailure).ConfigureAwait(false);
            return;
        }

        var events = request.Events;
        for (var attempt = 1; ; attempt++)
        {
            if (_shutdown.ShouldStopSending)
            {
                ReportUnsent(request);
                return;
            }

            await WaitUntilAllowedAsync().ConfigureAwait(false);

            var started = _clock.Elapsed;
            var result = await _client.PostAsync(request.Body).ConfigureAwait(false);
            _statistics.RecordRequest(result.StatusCode, _clock.Elapsed - started);

            if (result.IsSuccess)
            {
                _statistics.AddDelivered(events.Count);
                if (attempt > 1)
                    _reporter.Warn($"{events.Count} security event(s) delivered to {_route} after {attempt} attempts");
                return;
            }

            switch (result.StatusCode)
            {
                case 413:
                    await SplitTooLargeAsync(request, result, sinceFirstFailure).ConfigureAwait(false);
                    return;
                case 400:
                    await IsolateRejectedAsync(request, result).ConfigureAwait(false);
                    return;
            }

            var failureClass = RetryPolicy.Classify(result);
            if (failureClass == FailureClass.Permanent)
            {
                _reporter.ReportDropped(DropReason.Rejected, LoggingFailureKind.Permanent,
                    $"Dynatrace rejected the request ({Describe(result)}); it will not be retried", events, result.Exception);
                return;
            }

            if (_shutdown.IsShuttingDown)
            {
                _shutdown.MarkFailed();
                _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final,
                    $"The last attempt while the logger was being disposed failed ({Describe(result)})", events, result.Exception);
                return;
            }

            sinceFirstFailure ??= Stopwatch.StartNew();
            var delay = _policy.DelayAfter(attempt);
            if (result.RetryAfter is { } retryAfter && result.StatusCode is 429 or 503)
            {
                // The endpoint asked everyone to slow down: this request and every later one wait.
                if (retryAfter > MaximumRetryAfter)
                    retryAfter = MaximumRetryAfter;
                if (retryAfter > delay)
                    delay = retryAfter;
                _notBefore = _clock.Elapsed + retryAfter;
            }

            if (sinceFirstFailure.Elapsed + delay > _policy.RetryTimeLimit)
            {
                _reporter.ReportDropped(DropReason.RetryTimeLimitExceeded, LoggingFailureKind.Permanent,
                    $"Gave up after {attempt} attempt(s) over {sinceFirstFailure.Elapsed.TotalSeconds:0.#} s (retryTimeLimit); last failure: {Describe(result)}",
                    events, result.Exception);
                return;
            }

            _statistics.AddRetried(events.Count);
            _reporter.ReportTemporary(
                $"Attempt {attempt} failed ({Describe(result)}){Hint(failureClass, result.StatusCode)}; retrying in {delay.TotalSeconds:0.#} s",
                events, result.Exception);

            await WaitAsync(delay).ConfigureAwait(false);
        }
    }

    async Task SplitTooLargeAsync(PendingRequest request, IngestResult result, Stopwatch? sinceFirstFailure)
    {
        if (request.Events.Count == 1)
        {
            _reporter.ReportDropped(DropReason.TooLarge, LoggingFailureKind.Permanent,
                $"The endpoint refused a single security event of {request.Length} bytes as too large ({Describe(result)})",
                request.Events, result.Exception);
            return;
        }

        if (_sizeLimit.ReduceAfterTooLarge(request.Length))
        {
            _reporter.Warn($"{_route} refused a request of {request.Length} bytes as too large (413); requests are now cut to {_sizeLimit.Current} bytes");
            await SendEachAsync(request.Chunk(_sizeLimit.Current), sinceFirstFailure).ConfigureAwait(false);
        }
        else
        {
            // Already at the floor of the adaptive limit: keep halving so that a single oversize event is isolated.
            var (first, second) = request.Split();
            await SendEachAsync(new List<PendingRequest> { first, second }, sinceFirstFailure).ConfigureAwait(false);
        }
    }

    async Task IsolateRejectedAsync(PendingRequest request, IngestResult result)
    {
        if (request.Events.Count == 1)
        {
            _reporter.ReportDropped(DropReason.Rejected, LoggingFailureKind.Permanent,
                $"Dynatrace rejected a security event ({Describe(result)}); it will not be retried", request.Events, result.Exception);
            return;
        }

        // The whole request was refused for something in it: halve until the offending events stand alone.
        var (first, second) = request.Split();
        await SendEachAsync(new List<PendingRequest> { first, second }, null).ConfigureAwait(false);
    }

    /// <summary>Sends derived requests in order and disposes them.</summary>
    async Task SendEachAsync(List<PendingRequest> requests, Stopwatch? sinceFirstFailure)
    {
        try
        {
            foreach (var request in requests)
                await SendAsync(request, sinceFirstFailure).ConfigureAwait(false);
        }
        finally
        {
            foreach (var request in requests)
                request.Dispose();
        }
    }

    void ReportUnsent(PendingRequest request) =>
        _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final,
            $"Not sent to {_route}: {_shutdown.StopReason}", request.Events);

    async Task WaitUntilAllowedAsync()
    {
        var wait = _notBefore - _clock.Elapsed;
        if (wait > TimeSpan.Zero && !_shutdown.IsShuttingDown)
            await WaitAsync(wait).ConfigureAwait(false);
    }

    async Task WaitAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutdown began: no more waiting, one last attempt follows.
        }
    }

    string Describe(IngestResult result) => result.StatusCode == 0
        ? result.ErrorMessage ?? "no response"
        : $"{result.StatusCode} from POST {_route}" + (result.ErrorMessage == null ? "" : ": " + result.ErrorMessage);

    static string Hint(FailureClass failureClass, int status) => failureClass != FailureClass.Configuration
        ? ""
        : status switch
        {
            401 => " — check the access token: it is missing, expired or revoked",
            403 => " — check the token's scope: it needs openpipeline.events_security.custom (custom endpoints) or openpipeline.events_security (built-in routes)",
            _ => " — check the endpoint name and route: the custom ingest source may not exist in OpenPipeline yet",
        };
}
