using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Health;

/// <summary>
/// What a health check reads about one sink: the latest answer the delivery policy decided on (written once per
/// request, by the sender that got it), the drops by reason (counted where the metric counts them), and what the queue
/// and the durable buffer already track. Read without locks; a check never waits for the delivery loop.
/// Every sink alive in the process is listed here (<see cref="Live"/>), however it was created (none is in a DI
/// container): it joins when built and leaves when its disposal has finished, held weakly so that a logger dropped
/// without disposal is not kept alive.
/// </summary>
internal sealed class SinkHealth
{
    /// <summary>How long a drop keeps the sink degraded.</summary>
    public static readonly TimeSpan DropWindow = TimeSpan.FromMinutes(5);

    static readonly int ReasonCount = Enum.GetValues(typeof(DropReason)).Length;
    static readonly List<WeakReference<SinkHealth>> LiveSinks = new();

    readonly TimeProvider _time;
    readonly EventQueue? _queue;
    readonly BufferDirectory? _buffer;
    readonly long[]? _dropped;
    long _lastDropTicks;
    long _lastSuccessTicks;
    Failure? _lastFailure;
    Failure? _failing;

    /// <summary>A batched sink's (<paramref name="queue"/> set) or an audit sink's (no queue, buffer or drops).</summary>
    public SinkHealth(Uri target, TimeProvider time, EventQueue? queue = null, BufferDirectory? buffer = null)
    {
        // Scheme, host, port and path: user information is refused by the settings, and neither it nor a query is shown.
        Endpoint = target.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        _time = time;
        _queue = queue;
        _buffer = buffer;
        _dropped = queue == null ? null : new long[ReasonCount];
    }

    /// <summary>The health data's key and the metrics' <c>endpoint</c> tag.</summary>
    public string Endpoint { get; }

    /// <summary>The sinks alive now, in the order they were built; read anew by each health check.</summary>
    public static List<SinkHealth> Live()
    {
        var live = new List<SinkHealth>();
        lock (LiveSinks)
        {
            foreach (var entry in LiveSinks)
            {
                if (entry.TryGetTarget(out var sink))
                    live.Add(sink);
            }
        }

        return live;
    }

    public void Join()
    {
        lock (LiveSinks)
        {
            LiveSinks.RemoveAll(entry => !entry.TryGetTarget(out _));
            LiveSinks.Add(new WeakReference<SinkHealth>(this));
        }
    }

    public void Leave()
    {
        lock (LiveSinks)
            LiveSinks.RemoveAll(entry => !entry.TryGetTarget(out var live) || ReferenceEquals(live, this));
    }

    /// <summary>
    /// The answer to an ingest or token request, as the delivery policy classed it: accepted, a configuration failure or
    /// a transient one. Any other answer (a <c>400</c>, a <c>413</c>) is about the events, not the endpoint: its drops count.
    /// </summary>
    public void Record(IngestResult result, FailureClass failureClass, FailureText text)
    {
        if (result.IsSuccess)
        {
            Interlocked.Exchange(ref _lastSuccessTicks, _time.GetUtcNow().UtcTicks);
            Volatile.Write(ref _failing, null);
            return;
        }

        if (failureClass is not (FailureClass.Configuration or FailureClass.Transient))
            return;
        var failure = new Failure(text.Outcome(failureClass, result), result.StatusCode, failureClass == FailureClass.Configuration,
            _time.GetUtcNow().UtcTicks);
        Volatile.Write(ref _lastFailure, failure);
        Volatile.Write(ref _failing, failure);
    }

    public void RecordDropped(DropReason reason, int count)
    {
        if (_dropped == null || count <= 0)
            return;
        Interlocked.Add(ref _dropped[(int)reason], count);
        Interlocked.Exchange(ref _lastDropTicks, _time.GetUtcNow().UtcTicks);
    }

    /// <summary>The sink's state now, the sentence that says what to check (null when healthy) and its health data.</summary>
    public (SinkState State, string? Description, IReadOnlyDictionary<string, object?> Data) Report()
    {
        var now = _time.GetUtcNow();
        var failing = Volatile.Read(ref _failing);
        var lastFailure = Volatile.Read(ref _lastFailure);
        var lastDrop = Interlocked.Read(ref _lastDropTicks);
        var state = failing == null ? SinkState.Healthy : failing.Configuration ? SinkState.Failing : SinkState.Degraded;
        var problems = new List<string>();
        if (failing != null)
            problems.Add(failing.Text);

        var data = new Dictionary<string, object?>
        {
            ["endpoint"] = Endpoint,
            ["state"] = null,
            ["lastSuccessUtc"] = Utc(Interlocked.Read(ref _lastSuccessTicks)),
            ["lastFailure"] = lastFailure?.Text,
            ["lastFailureStatus"] = lastFailure?.Status,
            ["lastFailureUtc"] = Utc(lastFailure?.Ticks ?? 0),
        };
        if (_queue != null)
        {
            var queued = _queue.Pending;
            data["queuedEvents"] = queued;
            if (_queue.MoreThanHalfFullBy() is { } limit)
                problems.Add($"its queue is more than half full by {limit} ({queued} security event(s) waiting): the endpoint does not take them as fast as they come");
        }

        if (_dropped != null)
        {
            var dropped = new Dictionary<string, long>();
            for (var reason = 0; reason < _dropped.Length; reason++)
            {
                var count = Interlocked.Read(ref _dropped[reason]);
                if (count > 0)
                    dropped[SinkStatistics.Tag((DropReason)reason)] = count;
            }

            data["droppedEvents"] = dropped;
            data["lastDropUtc"] = Utc(lastDrop);
            if (lastDrop != 0 && now.UtcTicks - lastDrop < DropWindow.Ticks)
            {
                var byReason = string.Join(", ", dropped.Select(pair => pair.Key + " " + pair.Value.ToString(CultureInfo.InvariantCulture)));
                problems.Add($"it dropped security events in the last {DropWindow.TotalMinutes:0} minutes " +
                    $"({dropped.Values.Sum()} dropped events since it started: {byReason}; SelfLog and the failure listener say why)");
            }
        }

        if (_buffer != null)
        {
            var bytes = _buffer.KnownBytes;
            data["bufferBytes"] = bytes;
            if (bytes > 0)
                problems.Add($"its durable buffer holds {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes of security events not yet delivered");
        }

        if (state == SinkState.Healthy && problems.Count > 0)
            state = SinkState.Degraded;
        data["state"] = state switch { SinkState.Failing => "failing", SinkState.Degraded => "degraded", _ => "healthy" };
        var description = problems.Count == 0 ? null : $"The DynatraceSecurity sink posting to {Endpoint}: " + string.Join("; ", problems);
        return (state, description, data);
    }

    static DateTimeOffset? Utc(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    sealed class Failure
    {
        public Failure(string text, int status, bool configuration, long ticks)
        {
            Text = text;
            Status = status;
            Configuration = configuration;
            Ticks = ticks;
        }

        public string Text { get; }
        public int Status { get; }
        public bool Configuration { get; }
        public long Ticks { get; }
    }
}

/// <summary>How a sink does, worst last.</summary>
internal enum SinkState
{
    Healthy,
    Degraded,

    /// <summary>Its latest answer is a configuration failure: retrying cannot fix it.</summary>
    Failing,
}
