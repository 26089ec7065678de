using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// Sends one request until it is accepted, rejected for good, out of retry time, or shutdown cuts it short; every
/// outcome other than acceptance is reported with its events. Never throws.
/// </summary>
internal sealed class RequestSender
{
    readonly IIngestClient _client;
    readonly RetryPolicy _policy;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly CancellationToken _shutdown;
    readonly string _route;
    bool _failedDuringShutdown;

    public RequestSender(IIngestClient client, RetryPolicy policy, FailureReporter reporter, SinkStatistics statistics, string route, CancellationToken shutdown)
    {
        _client = client;
        _policy = policy;
        _reporter = reporter;
        _statistics = statistics;
        _route = route;
        _shutdown = shutdown;
    }

    public async Task SendAsync(PendingRequest request)
    {
        var body = request.Close();
        var events = request.Events;
        Stopwatch? sinceFirstFailure = null;

        for (var attempt = 1; ; attempt++)
        {
            if (_failedDuringShutdown)
            {
                // Shutdown is bounded: once the endpoint failed while closing, the rest is reported, not attempted.
                _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final,
                    $"The logger was disposed while {_route} was failing; not sent", events);
                return;
            }

            var result = await _client.PostAsync(body).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                _statistics.AddDelivered(events.Count);
                if (attempt > 1)
                    _reporter.Warn($"{events.Count} security event(s) delivered to {_route} after {attempt} attempts");
                return;
            }

            var failureClass = RetryPolicy.Classify(result);
            if (failureClass == FailureClass.Permanent)
            {
                _reporter.ReportDropped(DropReason.Rejected, LoggingFailureKind.Permanent,
                    $"Dynatrace rejected the request ({Describe(result)}); it will not be retried", events, result.Exception);
                return;
            }

            if (_shutdown.IsCancellationRequested)
            {
                _failedDuringShutdown = true;
                _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final,
                    $"The last attempt during shutdown failed ({Describe(result)})", events, result.Exception);
                return;
            }

            sinceFirstFailure ??= Stopwatch.StartNew();
            var delay = _policy.DelayAfter(attempt);
            if (sinceFirstFailure.Elapsed + delay > _policy.RetryTimeLimit)
            {
                _reporter.ReportDropped(DropReason.RetryTimeLimitExceeded, LoggingFailureKind.Permanent,
                    $"Gave up after {attempt} attempt(s) over {sinceFirstFailure.Elapsed.TotalSeconds:0.#} s (retryTimeLimit); last failure: {Describe(result)}",
                    events, result.Exception);
                return;
            }

            _reporter.ReportTemporary(
                $"Attempt {attempt} failed ({Describe(result)}){Hint(failureClass, result.StatusCode)}; retrying in {delay.TotalSeconds:0.#} s",
                events, result.Exception);

            await WaitAsync(delay).ConfigureAwait(false);
        }
    }

    async Task WaitAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _shutdown).ConfigureAwait(false);
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
