using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Health;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// An experiment, kept to justify a design decision: this sink's formatting and delivery policy on Serilog's batching
/// engine, as the sink ran before it got a delivery loop of its own. The front checks the marker, estimates the size
/// and enforces the queue limit as the sink does; the engine then calls <c>EmitBatchAsync</c>, which estimates
/// each event again to release the budget (the engine keeps no per-event data). Compared with "DynatraceSecurity" it
/// shows what owning the loop changed: one wake-up per batch instead of one per event arriving while a batch fills.
/// </summary>
sealed class OnSerilogsEngineSink : ILogEventSink, IDisposable
{
    readonly SecurityMarker _marker;
    readonly int _queueLimit;
    readonly ILogEventSink _engine;
    readonly Batches _batches;
    int _pending;

    public OnSerilogsEngineSink(Uri baseUrl, int batchSizeLimit, int queueLimit)
    {
        var options = BenchmarkOptions.Create(baseUrl.ToString());
        options.BatchSizeLimit = batchSizeLimit;
        options.QueueLimit = queueLimit;
        options.QueueLimitBytes = 1L << 32;
        var settings = SinkSettings.From(options);
        _queueLimit = settings.QueueLimit;
        _marker = new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType);
        _batches = new Batches(settings, _marker, this);
        _engine = LoggerSinkConfiguration.CreateSink(wt => wt.Sink(_batches, new BatchingOptions
        {
            BatchSizeLimit = batchSizeLimit,
            BufferingTimeLimit = settings.BufferingTimeLimit,
            EagerlyEmitFirstEvent = true,
            QueueLimit = null,
        }));
    }

    public void Emit(LogEvent logEvent)
    {
        // The queue budget as the sink enforces it (by count and by estimated bytes, released once delivered).
        if (!_marker.IsMarked(logEvent))
            return;
        EventQueue.Estimate(logEvent);
        if (Interlocked.Increment(ref _pending) > _queueLimit)
        {
            Interlocked.Decrement(ref _pending);
            return;
        }

        _engine.Emit(logEvent);
    }

    void Release(int count) => Interlocked.Add(ref _pending, -count);

    public void Dispose()
    {
        (_engine as IDisposable)?.Dispose();
        _batches.Dispose();
    }

    sealed class Batches : IBatchedLogEventSink, IDisposable
    {
        readonly OnSerilogsEngineSink _owner;
        readonly EventSerializer _serializer;
        readonly RequestSender _sender;
        readonly HttpIngestClient _client;
        readonly ShutdownSignal _shutdown;
        readonly SinkStatistics _statistics;
        readonly FormattedBatch _formatted = new();

        public Batches(SinkSettings settings, SecurityMarker marker, OnSerilogsEngineSink owner)
        {
            _owner = owner;
            var queue = new EventQueue(settings.BatchSizeLimit, settings.QueueLimit, settings.QueueLimitBytes);
            _statistics = new SinkStatistics(queue, new SinkHealth(settings.Target, TimeProvider.System, queue));
            var reporter = new FailureReporter(this, _statistics, TimeProvider.System);
            _shutdown = new ShutdownSignal(settings.ShutdownTimeout, TimeProvider.System);
            _client = new HttpIngestClient(settings, TimeProvider.System);
            _serializer = new EventSerializer(new SecurityEventFormatter(settings, marker), settings.EventBodyLimitBytes);
            _sender = new RequestSender(_client, settings, DeliveryMode.Live, reporter, _statistics, _shutdown,
                new EndpointState(TimeProvider.System), TimeProvider.System, Backoff.Default);
        }

        public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
        {
            var count = batch.Count;
            try
            {
                // The engine keeps no per-event data: each event is estimated again to release the budget.
                foreach (var logEvent in batch)
                {
                    EventQueue.Estimate(logEvent);
                    var serialized = _serializer.Serialize(logEvent, out _, out _);
                    if (!serialized.IsEmpty)
                        _formatted.Add(logEvent, serialized);
                }

                await _sender.SendAsync(_formatted).ConfigureAwait(false);
            }
            finally
            {
                _formatted.Clear();
                _owner.Release(count);
            }
        }

        public Task OnEmptyBatchAsync() => Task.CompletedTask;

        public void Dispose()
        {
            _serializer.Dispose();
            _sender.Dispose();
            _client.Dispose();
            _formatted.Dispose();
            _shutdown.Dispose();
            _statistics.Dispose();
        }
    }
}
