using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// Called by Serilog's batching engine with each batch: formats it into byte-limited requests and sends them in
/// order. Runs its own delivery policy (<see cref="RequestSender"/>) and never throws, so the engine never retries,
/// tops up or silently drains a batch; every event of the batch is delivered or reported before this returns.
/// </summary>
internal sealed class DynatraceSecurityBatchedSink : IBatchedLogEventSink, IDisposable
{
    readonly QueueBudget _budget;
    readonly FailureReporter _reporter;
    readonly ShutdownSignal _shutdown;
    readonly RequestBuilder _requestBuilder;
    readonly RequestSender _sender;
    readonly IIngestClient _client;

    public DynatraceSecurityBatchedSink(
        SinkSettings settings, SecurityMarker marker, QueueBudget budget, FailureReporter reporter,
        SinkStatistics statistics, ShutdownSignal shutdown, IIngestClient? client = null)
    {
        _budget = budget;
        _reporter = reporter;
        _shutdown = shutdown;
        _client = client ?? new HttpIngestClient(settings.Target, settings.Token, settings.RequestTimeout, settings.MessageHandler,
            settings.Compression, reporter.Warn);
        var sizeLimit = new RequestSizeLimit(settings.BatchSizeLimitBytes);
        _requestBuilder = new RequestBuilder(new SecurityEventFormatter(settings, marker), reporter, sizeLimit, settings.EventBodyLimitBytes);
        var policy = new RetryPolicy(settings.RetryTimeLimit, settings.MinimumRetryDelay, settings.MaximumRetryDelay);
        _sender = new RequestSender(_client, policy, reporter, statistics, sizeLimit, settings.Target.Path, shutdown);
    }

    public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        // The engine reuses its batch collection: take what we need before the first await.
        var count = batch.Count;
        long bytes = 0;
        foreach (var logEvent in batch)
            bytes += EventSizeEstimator.Estimate(logEvent);

        List<PendingRequest>? requests = null;
        var sent = 0;
        try
        {
            if (_shutdown.ShouldStopSending)
            {
                // Shutdown is bounded: once it has given up on the endpoint, the rest is reported, not even formatted.
                _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final,
                    "Not sent: " + _shutdown.StopReason, new List<LogEvent>(batch));
                return;
            }

            requests = _requestBuilder.Build(batch);
            for (; sent < requests.Count; sent++)
                await _sender.SendAsync(requests[sent]).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A bug of ours must not make the engine retry (and duplicate) the batch: report what was not sent.
            var unsent = new List<LogEvent>();
            if (requests != null)
            {
                for (var i = sent; i < requests.Count; i++)
                    unsent.AddRange(requests[i].Events);
            }

            if (unsent.Count > 0)
                _reporter.ReportDropped(DropReason.Internal, LoggingFailureKind.Permanent, "An unexpected error in the sink", unsent, ex);
            else
                _reporter.Warn("An unexpected error in the sink: " + ex);
        }
        finally
        {
            if (requests != null)
            {
                foreach (var request in requests)
                    request.Dispose();
            }

            _budget.Release(count, bytes);
        }
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _requestBuilder.Dispose();
        _client.Dispose();
    }
}
