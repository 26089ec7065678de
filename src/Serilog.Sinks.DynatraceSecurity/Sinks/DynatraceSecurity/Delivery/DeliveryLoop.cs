using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// The one background loop that delivers the queue: it gathers a batch (the first event at once; then up to
/// <c>batchSizeLimit</c> events, waiting at most <c>bufferingTimeLimit</c> from the batch's start), formats it and
/// hands it to <see cref="RequestSender"/>, which delivers or reports every event before the next batch is gathered.
/// It replaces Serilog's batching engine, which wakes its loop for every event that arrives while a batch fills and
/// gives a batch no cancellation; this loop wakes once per batch and knows when disposal began.
/// </summary>
internal sealed class DeliveryLoop
{
    readonly EventQueue _queue;
    readonly QueueBudget _budget;
    readonly RequestBuilder _builder;
    readonly RequestSender _sender;
    readonly FailureReporter _reporter;
    readonly ShutdownSignal _shutdown;
    readonly DeliveryOptions _options;
    readonly List<LogEvent> _batch = new();
    readonly FormattedBatch _formatted = new();
    readonly Task _running;

    public DeliveryLoop(EventQueue queue, QueueBudget budget, RequestBuilder builder, RequestSender sender, FailureReporter reporter,
        ShutdownSignal shutdown, DeliveryOptions options)
    {
        _queue = queue;
        _budget = budget;
        _builder = builder;
        _sender = sender;
        _reporter = reporter;
        _shutdown = shutdown;
        _options = options;
        _running = Task.Run(RunAsync);
    }

    /// <summary>Completes when the queue has been completed and every event in it delivered or reported.</summary>
    public Task Completion => _running;

    async Task RunAsync()
    {
        var first = true;
        try
        {
            while (await _queue.WaitForEventAsync().ConfigureAwait(false))
            {
                if (!first && !_shutdown.IsShuttingDown)
                    await _queue.WaitForBatchAsync(_options.BufferingTimeLimit, _options.Time, _shutdown.Token).ConfigureAwait(false);
                first = false;

                var bytes = _queue.Take(_batch, _options.BatchSizeLimit);
                try
                {
                    await DeliverAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Never expected (the sender and the reporter do not throw), but the loop must outlive any bug.
                    _reporter.Warn($"An unexpected error in the delivery loop; {_batch.Count} security event(s) may be lost unreported: {ex}");
                }
                finally
                {
                    _budget.Release(_batch.Count, bytes);
                    _batch.Clear();
                    _formatted.Clear();
                }
            }
        }
        finally
        {
            _formatted.Dispose();
        }
    }

    async Task DeliverAsync()
    {
        if (_shutdown.ShouldStopSending && !_sender.Spills)
        {
            // Shutdown is bounded: once it has given up on the endpoint, the rest is reported, not even formatted
            // (with a durable buffer, it is formatted and written to disk instead).
            _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final, "Not sent: " + _shutdown.StopReason, _batch.ToArray());
            return;
        }

        try
        {
            _builder.Build(_batch, _formatted);
        }
        catch (Exception ex)
        {
            // Formatting failed outside its per-event guard (out of memory): what was formatted is reported; say that
            // the rest of the batch may be lost.
            var formatted = _formatted.Unresolved();
            if (formatted.Count > 0)
                _reporter.ReportDropped(DropReason.Internal, LoggingFailureKind.Permanent, "An unexpected error in the sink", formatted, ex);
            _reporter.Warn($"An unexpected error while formatting a batch of {_batch.Count} security event(s); some may be lost unreported: {ex}");
            return;
        }

        await _sender.SendAsync(_formatted).ConfigureAwait(false);
    }
}
