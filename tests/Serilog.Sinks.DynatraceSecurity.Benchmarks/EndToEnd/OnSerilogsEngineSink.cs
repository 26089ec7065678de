using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// An experiment, kept to justify a design decision: this sink's formatting and delivery policy on Serilog's batching
/// engine, as the sink ran before it got a delivery loop of its own. The front checks the marker, estimates the size
/// and enforces the queue budget as the sink does; the engine then calls <see cref="EmitBatchAsync"/>, which estimates
/// each event again to release the budget (the engine keeps no per-event data). Compared with "DynatraceSecurity" it
/// shows what owning the loop changed: one wake-up per batch instead of one per event arriving while a batch fills.
/// </summary>
sealed class OnSerilogsEngineSink : ILogEventSink, IDisposable
{
    readonly SecurityMarker _marker;
    readonly QueueBudget _budget;
    readonly ILogEventSink _engine;
    readonly Batches _batches;

    public OnSerilogsEngineSink(Uri baseUrl, int batchSizeLimit, int queueLimit)
    {
        var options = BenchmarkOptions.Create(baseUrl.ToString());
        options.BatchSizeLimit = batchSizeLimit;
        options.QueueLimit = queueLimit;
        options.QueueLimitBytes = 1L << 32;
        var settings = SinkSettings.From(options);
        _marker = new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType);
        _budget = new QueueBudget(settings.QueueLimit, settings.QueueLimitBytes);
        _batches = new Batches(settings, _marker, _budget);
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
        if (!_marker.IsMarked(logEvent) || !_budget.TryAdmit(EventSizeEstimator.Estimate(logEvent), out _))
            return;
        _engine.Emit(logEvent);
    }

    public void Dispose()
    {
        (_engine as IDisposable)?.Dispose();
        _batches.Dispose();
    }

    sealed class Batches : IBatchedLogEventSink, IDisposable
    {
        readonly QueueBudget _budget;
        readonly RequestBuilder _builder;
        readonly RequestSender _sender;
        readonly IIngestClient _client;
        readonly ShutdownSignal _shutdown;
        readonly SinkStatistics _statistics;
        readonly FormattedBatch _formatted = new();

        public Batches(SinkSettings settings, SecurityMarker marker, QueueBudget budget)
        {
            _budget = budget;
            _statistics = new SinkStatistics(budget);
            var reporter = new FailureReporter(this, _statistics, TimeProvider.System);
            _shutdown = new ShutdownSignal(settings.ShutdownTimeout, TimeProvider.System);
            _client = new HttpIngestClient(settings, TimeProvider.System);
            _builder = new RequestBuilder(new SecurityEventFormatter(settings, marker), reporter, settings.EventBodyLimitBytes);
            var random = new Random();
            _sender = new RequestSender(_client, new DeliveryOptions(settings, TimeProvider.System, Backoff.Default, random.NextDouble),
                reporter, _statistics, _shutdown, new EndpointState(TimeProvider.System));
        }

        public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
        {
            var count = batch.Count;
            long bytes = 0;
            foreach (var logEvent in batch)
                bytes += EventSizeEstimator.Estimate(logEvent);
            try
            {
                _builder.Build(batch, _formatted);
                await _sender.SendAsync(_formatted).ConfigureAwait(false);
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
            _builder.Dispose();
            _sender.Dispose();
            _client.Dispose();
            _formatted.Dispose();
            _shutdown.Dispose();
            _statistics.Dispose();
        }
    }
}
