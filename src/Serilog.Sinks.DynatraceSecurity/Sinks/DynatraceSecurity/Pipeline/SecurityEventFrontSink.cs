using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Health;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Undelivered;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// What <c>WriteTo.DynatraceSecurity(...)</c> adds to the logging pipeline. On the logging thread it only checks the
/// level and the marker and puts the event on the <see cref="EventQueue"/> (which enforces its limits; refusals are
/// reported). Its one background loop delivers the queue: it gathers a batch (the first event at once; then up to
/// <c>batchSizeLimit</c> events, waiting at most <c>bufferingTimeLimit</c> from the batch's start), formats each event
/// once (one that cannot be formatted, or does not fit <c>eventBodyLimitBytes</c>, is reported and left out) and hands
/// the batch to the <see cref="RequestSender"/>, which settles every event before the next batch is gathered. Serilog's
/// batching engine would wake its loop for every event while a batch fills and gives a batch no cancellation.
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
    const int Open = 0, Closing = 1, Closed = 2;

    readonly LogEventLevel _minimumLevel;
    readonly LoggingLevelSwitch? _levelSwitch;
    readonly SecurityMarker _marker;
    readonly EventQueue _queue;
    readonly FailureReporter _reporter;
    readonly ShutdownSignal _shutdown;
    readonly EventSerializer _serializer;
    readonly RequestSender _sender;
    readonly FormattedBatch _formatted = new();
    readonly Task _delivering;
    readonly HttpIngestClient _client;
    readonly UndeliveredEventsFile? _file;
    readonly Replayer? _replayer;
    readonly string _description;
    readonly TimeProvider _time;
    readonly TimeSpan _disposalBound;
    int _state;
    int _emitting;

    public SecurityEventFrontSink(SinkSettings settings)
        : this(settings, TimeProvider.System, Backoff.Default)
    {
    }

    /// <summary>A sink on the clock <paramref name="time"/>.</summary>
    public SecurityEventFrontSink(SinkSettings settings, TimeProvider time, Backoff backoff)
    {
        _time = time;
        _disposalBound = settings.ShutdownTimeout + settings.RequestTimeout;
        _minimumLevel = settings.RestrictedToMinimumLevel;
        _levelSwitch = settings.LevelSwitch;
        _marker = new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType);
        _queue = new EventQueue(settings.BatchSizeLimit, settings.QueueLimit, settings.QueueLimitBytes);
        _shutdown = new ShutdownSignal(settings.ShutdownTimeout, time);
        _description = "DynatraceSecurity(" + settings.Target.GetLeftPart(UriPartial.Path) + ")";
        var (buffer, notWritable) = settings.BufferPath == null
            ? (null, null)
            : BufferDirectory.Open(settings.BufferPath, settings.Target.AbsoluteUri, settings.BufferSizeLimitBytes, time);
        Statistics = new SinkStatistics(_queue, new SinkHealth(settings.Target, time, _queue, buffer), buffer);
        // Built once: the enrichment files are read, and any trouble with them said, once per sink.
        var formatter = new SecurityEventFormatter(settings, _marker);
        _file = settings.UndeliveredEventsPath == null
            ? null
            : UndeliveredEventsFile.Open(settings.UndeliveredEventsPath, settings.UndeliveredEventsSizeLimitBytes,
                new EventSerializer(formatter.Copy(), settings.EventBodyLimitBytes),
                message => SelfLog.WriteLine("{0}: {1}", this, message), time);
        _reporter = new FailureReporter(this, Statistics, time, _file, buffer);
        if (notWritable != null)
            _reporter.Warn($"The durable buffer directory {buffer!.Path} cannot be written now ({notWritable}); events are delivered as usual, " +
                "and the buffer is used once the volume has room again");

        var endpoint = new EndpointState(time);
        _client = new HttpIngestClient(settings, time);
        _sender = new RequestSender(_client, settings, buffer == null ? DeliveryMode.Live : DeliveryMode.Durable, _reporter, Statistics,
            _shutdown, endpoint, time, backoff, buffer, _queue);
        _serializer = new EventSerializer(formatter, settings.EventBodyLimitBytes);
        _delivering = Task.Run(() => DeliverAsync(settings.BatchSizeLimit, settings.BufferingTimeLimit, durable: buffer != null));
        if (buffer != null)
        {
            // The replayer runs beside the delivery loop with a sender of its own.
            _replayer = new Replayer(buffer, new RequestSender(_client, settings, DeliveryMode.Replaying, _reporter, Statistics, _shutdown,
                endpoint, time, backoff), _reporter, Statistics, settings, _shutdown, endpoint, time, backoff);
        }

        // Last, once nothing can throw: health checks see the sink from now until its disposal has finished.
        Statistics.Health.Join();
    }

    /// <summary>The sink's metrics (its own <see cref="System.Diagnostics.Metrics.Meter"/>).</summary>
    public SinkStatistics Statistics { get; }

    public void Emit(LogEvent logEvent)
    {
        // Every event of the pipeline comes here, and most are not security events: this part is kept small enough for
        // the JIT to inline it into Serilog's dispatch (an unmarked call: 1.06-1.13x Serilog's with no sink when this
        // and the rest were one method, 1.05-1.06x split; docs/benchmarks.md).
        if (logEvent != null && logEvent.Level >= (_levelSwitch?.MinimumLevel ?? _minimumLevel) && _marker.IsMarked(logEvent))
            EmitMarked(logEvent);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    void EmitMarked(LogEvent logEvent)
    {
        // Disposal waits for calls inside this gate, so an event either reaches the queue before it is completed or
        // is refused here and reported: never dropped by a completed queue without a word.
        string? refusedBy = null;
        var state = Volatile.Read(ref _state);
        if (state == Open)
        {
            Interlocked.Increment(ref _emitting);
            try
            {
                state = Volatile.Read(ref _state);
                if (state == Open)
                {
                    refusedBy = _queue.TryAdd(logEvent);
                    if (refusedBy == null)
                    {
                        Statistics.AddQueued();
                        return;
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref _emitting);
            }
        }

        if (refusedBy != null)
            _reporter.ReportQueueFull(logEvent, refusedBy);
        else
            _reporter.ReportLoggedAfterDisposal(logEvent, disposalFinished: state == Closed);
    }

    public void SetFailureListener(ILoggingFailureListener failureListener) => _reporter.SetListener(failureListener);

    public void Dispose()
    {
        if (!BeginClosing())
            return;
        // The loops await with ConfigureAwait(false) throughout and run on the thread pool: waiting cannot deadlock.
        _delivering.GetAwaiter().GetResult();
        ReplayerStoppedAsync().GetAwaiter().GetResult();
        Finish();
    }

#if NET8_0_OR_GREATER
    public async ValueTask DisposeAsync()
    {
        if (!BeginClosing())
            return;
        await _delivering.ConfigureAwait(false);
        await ReplayerStoppedAsync().ConfigureAwait(false);
        Finish();
    }
#endif

    /// <summary>The background loop; it ends when the queue is completed and every event in it is settled.</summary>
    async Task DeliverAsync(int batchSizeLimit, TimeSpan bufferingTimeLimit, bool durable)
    {
        var batch = new List<LogEvent>();
        var first = true;
        try
        {
            while (await _queue.WaitForEventAsync().ConfigureAwait(false))
            {
                if (!first && !_shutdown.IsShuttingDown)
                    await _queue.WaitForBatchAsync(bufferingTimeLimit, _time, _shutdown.Token).ConfigureAwait(false);
                first = false;

                var bytes = _queue.Take(batch, batchSizeLimit);
                var formattedUpTo = 0;
                try
                {
                    if (_shutdown.ShouldStopSending && !durable)
                    {
                        // Shutdown is bounded: once it has given up on the endpoint, the rest is reported, not even
                        // formatted (with a durable buffer, it is written to disk instead).
                        formattedUpTo = batch.Count;
                        _reporter.ReportDropped(DropReason.Shutdown, LoggingFailureKind.Final, "Not sent: " + _shutdown.StopReason, batch.ToArray());
                        continue;
                    }

                    for (; formattedUpTo < batch.Count; formattedUpTo++)
                        Format(batch[formattedUpTo]);
                    await _sender.SendAsync(_formatted).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Never expected (out of memory, a bug of ours): what is not settled yet is reported, once.
                    AfterUnexpected(ex, batch, formattedUpTo);
                }
                finally
                {
                    _queue.Release(batch.Count, bytes);
                    batch.Clear();
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

    void AfterUnexpected(Exception ex, List<LogEvent> batch, int formattedUpTo)
    {
        _formatted.ReportDrops(_reporter);
        var unresolved = _formatted.EventsOf(_formatted.UnresolvedSet());
        for (var i = formattedUpTo; i < batch.Count; i++)
            unresolved.Add(batch[i]);
        if (unresolved.Count > 0)
            _reporter.ReportDropped(DropReason.Internal, LoggingFailureKind.Permanent, "An unexpected error in the sink", unresolved, ex);
        else
            _reporter.Warn("An unexpected error in the sink: " + ex);
    }

    /// <summary>
    /// Waits for the replayer within <c>shutdownTimeout</c> + <c>requestTimeout</c>: one stuck in the file system (a hung
    /// network mount, a scanner holding a file open) is left behind.
    /// </summary>
    async Task ReplayerStoppedAsync()
    {
        if (_replayer == null)
            return;
        using var stop = new CancellationTokenSource();
        var bound = _time.WaitAsync(_disposalBound - _shutdown.Elapsed, stop.Token);
        if (await Task.WhenAny(_replayer.Completion, bound).ConfigureAwait(false) == _replayer.Completion)
        {
            stop.Cancel();
            return;
        }

        _reporter.Warn($"The durable buffer's replayer did not stop within shutdownTimeout + requestTimeout ({_disposalBound.TotalSeconds:0.###} s): " +
            "it is stuck in the file system (a hung network mount?) and is left behind; its files stay for the next start");
    }

    /// <summary>
    /// Stops taking events, waits for calls already inside the gate, tells the loop (it stops backing off and makes one
    /// last attempt) and completes the queue, which the loop drains within the shutdown bounds.
    /// </summary>
    bool BeginClosing()
    {
        if (Interlocked.CompareExchange(ref _state, Closing, Open) != Open)
            return false;
        var spin = new SpinWait();
        while (Volatile.Read(ref _emitting) != 0)
            spin.SpinOnce();

        _shutdown.Begin();
        _queue.Complete();
        return true;
    }

    void Finish()
    {
        Volatile.Write(ref _state, Closed);
        _client.Dispose();
        _reporter.FlushSummaries();
        _file?.Dispose();
        Statistics.Dispose();
        _shutdown.Dispose();
        Statistics.Health.Leave();
    }

    public override string ToString() => _description;
}
