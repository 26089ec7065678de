using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// The one background loop that delivers the queue: it gathers a batch (the first event at once; then up to
/// <c>batchSizeLimit</c> events, waiting at most <c>bufferingTimeLimit</c> from the batch's start), formats each event
/// once (an event that cannot be formatted, or does not fit <c>eventBodyLimitBytes</c> even with its text values cut,
/// is reported and left out) and hands the batch to <see cref="RequestSender"/>, which delivers, reports or buffers
/// every event before the next batch is gathered. It replaces Serilog's batching engine, which wakes its loop for every
/// event that arrives while a batch fills and gives a batch no cancellation; this loop wakes once per batch and knows
/// when disposal began.
/// </summary>
internal sealed class DeliveryLoop
{
    readonly EventQueue _queue;
    readonly EventSerializer _serializer;
    readonly RequestSender _sender;
    readonly FailureReporter _reporter;
    readonly ShutdownSignal _shutdown;
    readonly TimeProvider _time;
    readonly int _batchSizeLimit;
    readonly TimeSpan _bufferingTimeLimit;
    readonly bool _durable;
    readonly List<LogEvent> _batch = new();
    readonly FormattedBatch _formatted = new();
    readonly Task _running;
    int _formattedUpTo;

    public DeliveryLoop(EventQueue queue, EventSerializer serializer, RequestSender sender, FailureReporter reporter, ShutdownSignal shutdown,
        TimeProvider time, int batchSizeLimit, TimeSpan bufferingTimeLimit, bool durable)
    {
        _queue = queue;
        _serializer = serializer;
        _sender = sender;
        _reporter = reporter;
        _shutdown = shutdown;
        _time = time;
        _batchSizeLimit = batchSizeLimit;
        _bufferingTimeLimit = bufferingTimeLimit;
        _durable = durable;
        _running = Task.Run(RunAsync);
    }

    /// <summary>Completes when the queue has been completed and every event in it delivered, reported or buffered.</summary>
    public Task Completion => _running;

    async Task RunAsync()
    {
        var first = true;
        try
        {
            while (await _queue.WaitForEventAsync().ConfigureAwait(false))
            {
                if (!first && !_shutdown.IsShuttingDown)
                    await _queue.WaitForBatchAsync(_bufferingTimeLimit, _time, _shutdown.Token).ConfigureAwait(false);
                first = false;

                var bytes = _queue.Take(_batch, _batchSizeLimit);
                try
                {
                    await DeliverAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Never expected (out of memory, a bug of ours): whatever was neither delivered nor reported yet is
                    // reported now, once, so that the loop, and every event, outlives it.
                    AfterUnexpected(ex);
                }
                finally
                {
                    _queue.Release(_batch.Count, bytes);
                    _batch.Clear();
                    _formatted.Clear();
                }
            }
        }
        finally
        {
            _formatted.Dispose();
            _serializer.Dispose();
            _sender.Dispose();
        }
    }

    async Task DeliverAsync()
    {
        _formattedUpTo = 0;
        if (_shutdown.ShouldStopSending && !_durable)
        {
            // Shutdown is bounded: once it has given up on the endpoint, the rest is reported, not even formatted
            // (with a durable buffer, it is formatted and written to disk instead).
            _formattedUpTo = _batch.Count;
            _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final, "Not sent: " + _shutdown.StopReason, _batch.ToArray());
            return;
        }

        for (; _formattedUpTo < _batch.Count; _formattedUpTo++)
            Format(_batch[_formattedUpTo]);
        await _sender.SendAsync(_formatted).ConfigureAwait(false);
    }

    void Format(LogEvent logEvent)
    {
        var json = _serializer.Serialize(logEvent, out var untruncatedLength, out var failure);
        if (!json.IsEmpty)
            _formatted.Add(logEvent, json);
        else if (failure == null)
            _reporter.ReportDropped(DropReason.TooLarge, LoggingFailureKind.Permanent,
                $"A security event of {untruncatedLength} bytes does not fit eventBodyLimitBytes ({_serializer.EventBodyLimitBytes}) even with its text values cut",
                new[] { logEvent });
        else
            // The exception says what broke, but never echo the payload itself.
            _reporter.ReportDropped(DropReason.Unformattable, LoggingFailureKind.Permanent,
                $"A security event could not be written as JSON ({failure.GetType().Name})", new[] { logEvent }, failure);
    }

    void AfterUnexpected(Exception ex)
    {
        _formatted.ReportDrops(_reporter);
        var unresolved = _formatted.Unresolved();
        for (var i = _formattedUpTo; i < _batch.Count; i++)
            unresolved.Add(_batch[i]);
        if (unresolved.Count > 0)
            _reporter.ReportDropped(DropReason.Internal, LoggingFailureKind.Permanent, "An unexpected error in the sink", unresolved, ex);
        else
            _reporter.Warn("An unexpected error in the sink: " + ex);
    }
}
