using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// Delivers a formatted batch: cuts one request at a time to the current size limit, sends it, and carries out what
/// <see cref="DeliveryPolicy"/> decides about each answer until every event is delivered, reported, or (with a durable
/// buffer) written to disk. Never throws. Runs on one loop (the delivery loop, or the buffer's replayer, each with its
/// own sender): it owns its state and takes no locks; what the two share is in <see cref="EndpointState"/>.
/// <list type="bullet">
/// <item><description>Live, with a durable buffer: a request whose retry fails too, or that is left at shutdown, goes to
/// disk, and while the endpoint is down later requests go straight there.</description></item>
/// <item><description>Replaying: a request that fails is left where it is (deferred), for the replayer to try later; its
/// events are on disk, so what is dropped is reported by count.</description></item>
/// </list>
/// </summary>
internal sealed class RequestSender : IDisposable
{
    readonly DeliveryOptions _options;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly ShutdownSignal _shutdown;
    readonly RequestPoster _poster;
    readonly RequestSizeLimit _sizeLimit;
    readonly PooledBufferWriter _body = new();
    readonly DropCollector _drops = new();
    readonly List<int> _tooOld = new();
    readonly EndpointState _endpoint;
    readonly BufferDirectory? _spillTo;
    readonly bool _replaying;
    SendOutcome _outcome;

    /// <summary>
    /// A sender for live delivery (with <paramref name="spillTo"/>, the durable buffer its failed requests go to) or, with
    /// <paramref name="replaying"/>, for the buffer's replayer (failures deferred, not retried or reported).
    /// </summary>
    public RequestSender(IIngestClient client, DeliveryOptions options, FailureReporter reporter, SinkStatistics statistics, ShutdownSignal shutdown,
        EndpointState endpoint, BufferDirectory? spillTo = null, bool replaying = false)
    {
        _endpoint = endpoint;
        _spillTo = spillTo;
        _replaying = replaying;
        _options = options;
        _reporter = reporter;
        _statistics = statistics;
        _shutdown = shutdown;
        _poster = new RequestPoster(client, options, reporter, statistics);
        _sizeLimit = new RequestSizeLimit(options.BatchSizeLimitBytes);
    }

    FailureText Text => _options.Text;

    TimeProvider Time => _options.Time;

    /// <summary>Delivers (or reports, or buffers) every event of <paramref name="batch"/>; says what became of them.</summary>
    public async Task<SendOutcome> SendAsync(FormattedBatch batch)
    {
        _outcome = default;
        try
        {
            var all = EventSet.Range(0, batch.Count);
            var next = 0;
            while (next < batch.Count && !_outcome.Deferred)
            {
                if (_shutdown.ShouldStopSending && (_replaying || _spillTo != null))
                {
                    await SendAsync(batch, all.Slice(next, batch.Count - next), failingSince: null, bisection: null).ConfigureAwait(false);
                    next = batch.Count;
                }
                else if (_shutdown.ShouldStopSending)
                {
                    Drop(batch, all.Slice(next, batch.Count - next), DropReason.Shutdown, LoggingFailureKind.Final,
                        $"Not sent to {Text.Route}: {_shutdown.StopReason}");
                    next = batch.Count;
                }
                else
                {
                    var count = CountFitting(batch, all, next);
                    await SendAsync(batch, all.Slice(next, count), failingSince: null, bisection: null).ConfigureAwait(false);
                    next += count;
                }

                _drops.ReportTo(_reporter);
            }
        }
        catch (Exception ex)
        {
            // A bug of ours: whatever was neither delivered nor reported yet is reported now, once.
            _drops.ReportTo(_reporter);
            var unresolved = batch.Unresolved();
            if (unresolved.Count > 0)
                _reporter.ReportDropped(DropReason.Internal, LoggingFailureKind.Permanent, "An unexpected error in the sink", unresolved, ex);
            else
                _reporter.Warn("An unexpected error in the sink: " + ex);
        }

        return _outcome;
    }

    void Drop(FormattedBatch batch, EventSet events, DropReason reason, LoggingFailureKind kind, string message, string? detail = null, Exception? exception = null)
    {
        batch.MarkResolved(events);
        _drops.Add(reason, kind, message, detail, events.Count, batch.EventsOf(events), exception,
            _reporter.KeepsFormattedEvents || _replaying ? batch.FormattedOf(events) : null);
    }

    /// <summary>Writes the request's events to the durable buffer; reports them when that cannot be done.</summary>
    void Spill(FormattedBatch batch, EventSet events, string why)
    {
        var problem = _spillTo!.TryWrite(batch, events, _body);
        if (problem == null)
        {
            batch.MarkResolved(events);
            _statistics.AddPersisted(events.Count);
            _endpoint.MarkDown();
            _endpoint.NotifySpilled();
            return;
        }

        Drop(batch, events, problem.StartsWith("the durable buffer is full", StringComparison.Ordinal) ? DropReason.BufferFull : DropReason.BufferFailed,
            _shutdown.IsShuttingDown ? LoggingFailureKind.Final : LoggingFailureKind.Permanent,
            $"Not kept in the durable buffer ({why})", problem);
    }

    /// <summary>Replaying: leaves the events where they are (on disk) for a later try.</summary>
    void Defer() => _outcome = _outcome.WithDeferred();

    /// <summary>
    /// How many events of <paramref name="events"/>, from <paramref name="start"/> on, fit one request at the current
    /// limit (at least one). Requests are cut this way one at a time, just before each is sent, so a limit lowered by a
    /// 413 applies to every request after it without re-cutting any.
    /// </summary>
    int CountFitting(FormattedBatch batch, EventSet events, int start)
    {
        var limit = _sizeLimit.Current;
        var count = 1;
        var length = 2 + batch.LengthOf(events[start]);
        while (start + count < events.Count && length + 1 + batch.LengthOf(events[start + count]) <= limit)
        {
            length += 1 + batch.LengthOf(events[start + count]);
            count++;
        }

        return count;
    }

    /// <summary>The events sent in parts cut to the current limit, or in halves when it does not split them.</summary>
    async Task SendCutSmallerAsync(FormattedBatch batch, EventSet events, long? failingSince, Bisection? bisection)
    {
        var start = 0;
        while (start < events.Count)
        {
            var count = CountFitting(batch, events, start);
            if (start == 0 && count == events.Count)
                count = events.Count / 2;
            await SendAsync(batch, events.Slice(start, count), failingSince, bisection).ConfigureAwait(false);
            start += count;
        }
    }

    /// <summary>See <see cref="Bisection"/>: three events alone first, then the rest unless all three were refused.</summary>
    async Task ProbeThenSendRestAsync(FormattedBatch batch, EventSet events, long? failingSince, Bisection bisection)
    {
        var probes = Bisection.ProbePositions(events.Count);
        bisection.Probing = true;
        foreach (var position in probes)
            await SendAsync(batch, events.Slice(position, 1), failingSince, bisection).ConfigureAwait(false);
        bisection.Probing = false;

        var rest = events.Without(probes);
        if (rest.Count == 0)
            return;
        if (bisection.EverythingRefused(probes.Count))
        {
            Drop(batch, rest, DropReason.Rejected, LoggingFailureKind.Permanent,
                $"Dynatrace refused every one of {probes.Count} events of a request sent alone; the other {rest.Count} were not sent",
                bisection.LastRefusal);
            return;
        }

        await SendAsync(batch, rest, failingSince, bisection).ConfigureAwait(false);
    }

    async Task SendAsync(FormattedBatch batch, EventSet events, long? failingSince, Bisection? bisection)
    {
        var tooLargeAnswers = 0;
        for (var attempt = 1; ; attempt++)
        {
            if (_outcome.Deferred)
                return;
            if (_shutdown.ShouldStopSending)
            {
                if (_replaying)
                    Defer();
                else if (_spillTo != null)
                    Spill(batch, events, "the logger was disposed: " + _shutdown.StopReason);
                else
                    Drop(batch, events, DropReason.Shutdown, LoggingFailureKind.Final, $"Not sent to {Text.Route}: {_shutdown.StopReason}");
                return;
            }

            events = WithoutTooOld(batch, events);
            if (events.Count == 0)
                return;

            if (_spillTo != null && _endpoint.Down)
            {
                // The endpoint is down: straight to disk; the replayer probes it with the oldest file.
                Spill(batch, events, "the endpoint is down");
                return;
            }

            if (!_shutdown.IsShuttingDown)
                await Time.WaitAsync(_endpoint.Wait, _shutdown.Token).ConfigureAwait(false);

            var body = batch.WriteBody(events, _body);
            var earlierTooLarge = tooLargeAnswers;
            var plainOnly = bisection is { Uncompressed: true, Probing: false } && !_poster.GzipProven;
            var (result, decision, refusedBothWays) = await _poster.PostAsync(body, plainOnly, (answer, compressed, reauthenticated) =>
                DeliveryPolicy.Decide(new Attempt(answer, events.Count, body.Count, compressed, _poster.GzipProven, _sizeLimit.ProvenFits,
                    earlierTooLarge + (answer.StatusCode == 413 ? 1 : 0), reauthenticated))).ConfigureAwait(false);
            // A token endpoint's 400 or 413 says nothing about these events.
            if (result.StatusCode == 413 && !result.FromTokenEndpoint)
                tooLargeAnswers++;
            if (result.StatusCode == 400 && !result.FromTokenEndpoint)
                bisection?.Refused(Text.Describe(result));

            switch (decision.Action)
            {
                case DeliveryAction.Delivered:
                    _sizeLimit.OnAccepted(body.Count);
                    batch.MarkResolved(events);
                    bisection?.Accepted();
                    _endpoint.MarkUp();
                    _outcome = _outcome.WithDelivered(events.Count);
                    _statistics.AddDelivered(events.Count);
                    if (attempt > 1)
                        _reporter.Warn($"{events.Count} security event(s) delivered to {Text.Route} after {attempt} attempts");
                    return;

                case DeliveryAction.CutSmaller:
                    if (_sizeLimit.OnTooLarge(body.Count))
                        _reporter.Warn($"{Text.Route} refused a request of {body.Count} bytes as too large (413); requests are now cut to {_sizeLimit.Current} bytes");
                    await SendCutSmallerAsync(batch, events, failingSince, bisection).ConfigureAwait(false);
                    return;

                case DeliveryAction.Bisect when bisection == null:
                    await ProbeThenSendRestAsync(batch, events, failingSince, new Bisection(Text.Describe(result), refusedBothWays)).ConfigureAwait(false);
                    return;

                case DeliveryAction.Bisect:
                    var (first, second) = events.Halves();
                    await SendAsync(batch, first, failingSince, bisection).ConfigureAwait(false);
                    await SendAsync(batch, second, failingSince, bisection).ConfigureAwait(false);
                    return;

                case DeliveryAction.Drop:
                    var tooLarge = decision.Reason == DropReason.TooLarge;
                    Drop(batch, events, decision.Reason, LoggingFailureKind.Permanent,
                        tooLarge ? "The endpoint refused single security events as too large" : "Dynatrace rejected security events; they will not be retried",
                        tooLarge ? $"{body.Count} bytes, {Text.Describe(result)}" : Text.Describe(result), Text.ToException(result));
                    return;
            }

            failingSince ??= Time.GetTimestamp();
            var failingFor = Time.GetElapsedTime(failingSince.Value);
            var retry = DeliveryPolicy.ScheduleRetry(result, _options.Backoff.DelayAfter(attempt, _options.Random()), failingFor,
                _options.RetryTimeLimit, _shutdown.IsShuttingDown);
            if (retry.PaceEveryone is { } pace)
                _endpoint.PauseFor(pace);
            if (_replaying && decision.FailureClass != FailureClass.TooLargeUnproven)
            {
                // The file stays; the replayer tries again later, at its own pace.
                Defer();
                return;
            }

            if (_spillTo != null && decision.FailureClass != FailureClass.TooLargeUnproven && (attempt > 1 || retry.IsGiveUp))
            {
                // Its retry failed too: the events wait on disk instead of holding up every request behind them.
                Spill(batch, events, $"{attempt} attempt(s) failed; last failure: {Text.Describe(result)}");
                return;
            }

            if (retry.IsGiveUp)
            {
                await GiveUpAsync(batch, events, failingSince, bisection, decision, result, retry.Reason, attempt, failingFor).ConfigureAwait(false);
                return;
            }

            _statistics.AddRetried(events.Count);
            _reporter.ReportTemporary(
                $"Attempt {attempt} failed ({Text.Describe(result)}){Text.Hint(decision.FailureClass, result)}; retrying in {retry.Delay.TotalSeconds:0.#} s",
                batch.EventsOf(events), Text.ToException(result));
            await Time.WaitAsync(retry.Delay, _shutdown.Token).ConfigureAwait(false);
        }
    }

    /// <summary>A failure that may not be retried (past <c>retryTimeLimit</c>, or during shutdown).</summary>
    async Task GiveUpAsync(FormattedBatch batch, EventSet events, long? failingSince, Bisection? bisection, Decision decision,
        IngestResult result, DropReason reason, int attempt, TimeSpan failingFor)
    {
        if (decision.FailureClass == FailureClass.TooLargeUnproven && events.Count > 1)
        {
            // A doubtful 413 that cannot be tried again proves nothing either: send the halves (the limit stays).
            await SendCutSmallerAsync(batch, events, failingSince, bisection).ConfigureAwait(false);
            return;
        }

        var final = reason == DropReason.Shutdown;
        // An endpoint that fails during shutdown would make every later request wait for it too; one that answered
        // (a 413 in doubt) is up, so the rest still goes.
        if (final && decision.FailureClass != FailureClass.TooLargeUnproven)
            _shutdown.MarkFailed();
        Drop(batch, events, reason, final ? LoggingFailureKind.Final : LoggingFailureKind.Permanent,
            final ? "The last attempt while the logger was being disposed failed" : "Gave up: retryTimeLimit passed",
            final
                ? Text.Describe(result)
                : $"{attempt} attempt(s) over {failingFor.TotalSeconds:0.#} s; last failure: {Text.Describe(result)}{Text.GiveUpHint(decision.FailureClass, result)}",
            Text.ToException(result));
    }

    /// <summary>Reports events Dynatrace would drop silently after accepting them (older than 24 hours) and leaves them out.</summary>
    EventSet WithoutTooOld(FormattedBatch batch, EventSet events)
    {
        var kept = batch.NotOlderThan(events, Time.GetUtcNow() - DeliveryOptions.MaximumEventAge, _tooOld);
        if (_tooOld.Count > 0)
        {
            var tooOld = EventSet.Of(_tooOld);
            _drops.Add(DropReason.TooOld, LoggingFailureKind.Permanent,
                $"Not sent: older than {DeliveryOptions.MaximumEventAge.TotalHours:0} hours (Dynatrace drops records older than 24 hours after accepting them)",
                null, tooOld.Count, batch.EventsOf(tooOld));
            _tooOld.Clear();
        }

        return kept;
    }

    public void Dispose() => _body.Dispose();
}

/// <summary>What became of a batch: how many events were delivered, and whether (replaying) the rest was deferred.</summary>
internal readonly struct SendOutcome
{
    SendOutcome(int delivered, bool deferred)
    {
        Delivered = delivered;
        Deferred = deferred;
    }

    public int Delivered { get; }
    public bool Deferred { get; }

    public SendOutcome WithDelivered(int count) => new(Delivered + count, Deferred);

    public SendOutcome WithDeferred() => new(Delivered, true);
}
