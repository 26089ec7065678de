using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// Called by Serilog's batching engine with each batch: formats it and hands it to <see cref="RequestSender"/>, which
/// delivers or reports every event before this returns. Never throws, so the engine never retries, tops up or silently
/// drains a batch.
/// </summary>
internal sealed class DynatraceSecurityBatchedSink : IBatchedLogEventSink, IDisposable
{
    readonly QueueBudget _budget;
    readonly FailureReporter _reporter;
    readonly ShutdownSignal _shutdown;
    readonly RequestBuilder _requestBuilder;
    readonly RequestSender _sender;
    readonly FormattedBatch _formatted = new();
    readonly IIngestClient _client;

    public DynatraceSecurityBatchedSink(
        SinkSettings settings, SecurityMarker marker, QueueBudget budget, FailureReporter reporter,
        SinkStatistics statistics, ShutdownSignal shutdown, DeliveryOptions delivery, IIngestClient client)
    {
        _budget = budget;
        _reporter = reporter;
        _shutdown = shutdown;
        _client = client;
        _requestBuilder = new RequestBuilder(new SecurityEventFormatter(settings, marker), reporter, settings.EventBodyLimitBytes);
        _sender = new RequestSender(client, delivery, reporter, statistics, shutdown);
    }

    public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        // The engine reuses its batch collection: take what we need before the first await.
        var count = batch.Count;
        long bytes = 0;
        foreach (var logEvent in batch)
            bytes += EventSizeEstimator.Estimate(logEvent);

        try
        {
            if (_shutdown.ShouldStopSending)
            {
                // Shutdown is bounded: once it has given up on the endpoint, the rest is reported, not even formatted.
                _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final,
                    "Not sent: " + _shutdown.StopReason, new List<LogEvent>(batch));
                return;
            }

            _requestBuilder.Build(batch, _formatted);
            await _sender.SendAsync(_formatted).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The sender never throws, so this is formatting failing outside its per-event guard (out of memory): the
            // engine must not retry (and duplicate) the batch. What was formatted is reported; say the rest may be lost.
            var formatted = _formatted.Unresolved();
            if (formatted.Count > 0)
                _reporter.ReportDropped(DropReason.Internal, LoggingFailureKind.Permanent, "An unexpected error in the sink", formatted, ex);
            _reporter.Warn($"An unexpected error while formatting a batch of {count} security event(s); some may be lost unreported: {ex}");
        }
        finally
        {
            _formatted.Clear();
            _budget.Release(count, bytes);
        }
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _requestBuilder.Dispose();
        _formatted.Dispose();
        _sender.Dispose();
        _client.Dispose();
    }
}
