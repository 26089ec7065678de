using System;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Batched;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// What <c>WriteTo.DynatraceSecurity(...)</c> adds to the logging pipeline. On the logging thread it only checks the
/// level and the marker and enforces the queue limit (counting and reporting refusals), then hands the event to
/// Serilog's batching engine, which calls <see cref="DynatraceSecurityBatchedSink"/> in the background.
/// </summary>
/// <remarks>
/// The level is checked here rather than by Serilog's level-restricting wrapper because that wrapper does not pass
/// <see cref="ISetLoggingFailureListener"/> on, which would break <c>WriteTo.FallbackChain</c>.
/// </remarks>
internal sealed class SecurityEventFrontSink : ILogEventSink, ISetLoggingFailureListener, IDisposable
#if NET8_0_OR_GREATER
    , IAsyncDisposable
#endif
{
    readonly LogEventLevel _minimumLevel;
    readonly LoggingLevelSwitch? _levelSwitch;
    readonly SecurityMarker _marker;
    readonly QueueBudget _budget;
    readonly FailureReporter _reporter;
    readonly ShutdownSignal _shutdown;
    readonly ILogEventSink _engine;
    readonly string _description;
    int _disposed;

    public SecurityEventFrontSink(SinkSettings settings)
    {
        _minimumLevel = settings.RestrictedToMinimumLevel;
        _levelSwitch = settings.LevelSwitch;
        _marker = new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType);
        _budget = new QueueBudget(settings.QueueLimit, settings.QueueLimitBytes);
        _shutdown = new ShutdownSignal(settings.ShutdownTimeout);
        _description = "DynatraceSecurity(" + settings.Target.Uri.GetLeftPart(UriPartial.Path) + ")";
        Statistics = new SinkStatistics(_budget);
        _reporter = new FailureReporter(this, Statistics);

        var batchedSink = new DynatraceSecurityBatchedSink(settings, _marker, _budget, _reporter, Statistics, _shutdown);
        var batchingOptions = new BatchingOptions
        {
            BatchSizeLimit = settings.BatchSizeLimit,
            BufferingTimeLimit = settings.BufferingTimeLimit,
            EagerlyEmitFirstEvent = true,
            // The budget above bounds the queue; Serilog's own bound would drop without telling anyone.
            QueueLimit = null,
        };
        // Serilog's batching engine (BatchingSink is not public in every 4.x release; CreateSink is).
        _engine = LoggerSinkConfiguration.CreateSink(wt => wt.Sink(batchedSink, batchingOptions));
        (_engine as ISetLoggingFailureListener)?.SetFailureListener(_reporter);
    }

    /// <summary>Delivered and dropped counts, for diagnostics and tests.</summary>
    public SinkStatistics Statistics { get; }

    /// <summary>Events accepted and not yet delivered or reported.</summary>
    public int PendingCount => _budget.Pending;

    public void Emit(LogEvent logEvent)
    {
        if (logEvent == null || Volatile.Read(ref _disposed) != 0)
            return;

        if (logEvent.Level < (_levelSwitch?.MinimumLevel ?? _minimumLevel) || !_marker.IsMarked(logEvent))
            return;

        if (!_budget.TryAdmit(EventSizeEstimator.Estimate(logEvent), out var refusedBy))
        {
            _reporter.ReportQueueFull(logEvent, refusedBy);
            return;
        }

        Statistics.AddQueued();
        _engine.Emit(logEvent);
    }

    public void SetFailureListener(ILoggingFailureListener failureListener) => _reporter.SetListener(failureListener);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;

        // Tell the delivery loop first: it stops backing off and makes one last attempt.
        _shutdown.Begin();
        (_engine as IDisposable)?.Dispose();
        Finish();
    }

#if NET8_0_OR_GREATER
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;

        _shutdown.Begin();
        if (_engine is IAsyncDisposable asyncEngine)
            await asyncEngine.DisposeAsync().ConfigureAwait(false);
        else
            (_engine as IDisposable)?.Dispose();
        Finish();
    }
#endif

    void Finish()
    {
        _reporter.FlushQueueFullSummary();
        Statistics.Dispose();
        _shutdown.Dispose();
    }

    public override string ToString() => _description;
}
