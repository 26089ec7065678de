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
/// buffer) written to disk; <see cref="NotDelivered"/> does what becomes of the rest. Never throws. Runs on one loop (the
/// delivery loop, or the buffer's replayer, each with its own sender): it owns its state and takes no locks; what the
/// two share is in <see cref="EndpointState"/>.
/// <list type="bullet">
/// <item><description>Live, with a durable buffer: a request that fails (or that is left at shutdown) goes to disk at
/// once, rather than being retried in memory, so that a crash loses as little as possible and requests behind it are
/// not held up; so does one that hangs while the queue fills. While the endpoint is down or asks to wait
/// (<c>Retry-After</c>), later requests go straight to disk.</description></item>
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
    readonly EndpointState _endpoint;
    readonly NotDelivered _notDelivered;
    readonly bool _replaying;
    readonly Func<Task>? _abandonWhen;

    /// <summary>
    /// A sender for live delivery (with <c>spillTo</c>, the durable buffer its failed requests go to) or, with
    /// <c>replaying</c>, for the buffer's replayer (failures deferred, not retried or reported). Live with a buffer,
    /// <c>abandonWhen</c> signals that a request still unanswered should be given up for the buffer (the queue filling
    /// up behind it).
    /// </summary>
    public RequestSender(IIngestClient client, DeliveryOptions options, FailureReporter reporter, SinkStatistics statistics, ShutdownSignal shutdown,
        EndpointState endpoint, BufferDirectory? spillTo = null, bool replaying = false, Func<Task>? abandonWhen = null)
    {
        _endpoint = endpoint;
        _replaying = replaying;
        _abandonWhen = spillTo != null && !replaying ? abandonWhen : null;
        _options = options;
        _reporter = reporter;
        _statistics = statistics;
        _shutdown = shutdown;
        _poster = new RequestPoster(client, options, reporter, statistics);
        _sizeLimit = new RequestSizeLimit(options.BatchSizeLimitBytes);
        _notDelivered = new NotDelivered(reporter, statistics, shutdown, endpoint, spillTo, replaying, options.Text);
    }

    FailureText Text => _options.Text;

    TimeProvider Time => _options.Time;

    /// <summary>True when failed requests go to the durable buffer, also at shutdown.</summary>
    public bool Spills => _notDelivered.Spills;

    /// <summary>Delivers (or reports, or buffers) every event of <paramref name="batch"/>; says what became of them.</summary>
    public async Task<BatchSend> SendAsync(FormattedBatch batch)
    {
        var send = new BatchSend(batch);
        try
        {
            var all = EventSet.Range(0, batch.Count);
            var next = 0;
            while (next < batch.Count && !send.Deferred)
            {
                // Cut one request at a time; once sending has stopped, what is left goes as one to be reported, or to disk
                // still one request to a file (no buffer file is larger than a request).
                var count = _shutdown.ShouldStopSending && !Spills ? batch.Count - next : CountFitting(batch, all, next);
                await SendAsync(send, all.Slice(next, count), failingSince: null, bisection: null).ConfigureAwait(false);
                next += count;
                _notDelivered.Report();
            }
        }
        catch (Exception ex)
        {
            _notDelivered.AfterBug(send, ex);
        }

        return send;
    }

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
    async Task SendCutSmallerAsync(BatchSend send, EventSet events, long? failingSince, Bisection? bisection)
    {
        var start = 0;
        while (start < events.Count)
        {
            var count = CountFitting(send.Batch, events, start);
            if (start == 0 && count == events.Count)
                count = events.Count / 2;
            await SendAsync(send, events.Slice(start, count), failingSince, bisection).ConfigureAwait(false);
            start += count;
        }
    }

    /// <summary>See <see cref="Bisection"/>: three events alone first, then the rest unless all three were refused.</summary>
    async Task ProbeThenSendRestAsync(BatchSend send, EventSet events, long? failingSince, Bisection bisection)
    {
        var probes = Bisection.ProbePositions(events.Count);
        bisection.Probing = true;
        foreach (var position in probes)
            await SendAsync(send, events.Slice(position, 1), failingSince, bisection).ConfigureAwait(false);
        bisection.Probing = false;

        var rest = events.Without(probes);
        if (rest.Count == 0)
            return;
        if (bisection.EverythingRefused(probes.Count))
        {
            _notDelivered.Drop(send, rest, DropReason.Rejected, LoggingFailureKind.Permanent,
                $"Dynatrace refused every one of {probes.Count} events of a request sent alone; the other {rest.Count} were not sent",
                bisection.LastRefusal);
            return;
        }

        await SendAsync(send, rest, failingSince, bisection).ConfigureAwait(false);
    }

    async Task SendAsync(BatchSend send, EventSet events, long? failingSince, Bisection? bisection)
    {
        var batch = send.Batch;
        var tooLargeAnswers = 0;
        for (var attempt = 1; ; attempt++)
        {
            if (send.Deferred)
                return;
            if (_shutdown.ShouldStopSending)
            {
                _notDelivered.AtShutdown(send, events);
                return;
            }

            events = _notDelivered.WithoutTooOld(send, events, Time.GetUtcNow());
            if (events.Count == 0)
                return;

            if (Spills && (_endpoint.Down || _endpoint.Wait > TimeSpan.Zero))
            {
                // The endpoint is down or asked to wait: straight to disk; the replayer probes it with the oldest file.
                _notDelivered.Spill(send, events, _endpoint.Down ? "the endpoint is down" : "the endpoint asked to wait (Retry-After)");
                return;
            }

            if (!_shutdown.IsShuttingDown)
                await Time.WaitAsync(_endpoint.Wait, _shutdown.Token).ConfigureAwait(false);

            var body = batch.WriteBody(events, _body);
            var earlierTooLarge = tooLargeAnswers;
            var plainOnly = bisection is { Uncompressed: true, Probing: false } && !_poster.GzipProven;
            var (result, decision, refusedBothWays) = await _poster.PostAsync(body, plainOnly, (answer, compressed, reauthenticated) =>
                DeliveryPolicy.Decide(new Attempt(answer, events.Count, body.Count, compressed, _poster.GzipProven, _sizeLimit.ProvenFits,
                    earlierTooLarge + (answer.StatusCode == 413 ? 1 : 0), reauthenticated)), _abandonWhen?.Invoke()).ConfigureAwait(false);
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
                    if (_endpoint.MarkUp())
                        _reporter.Warn($"{Text.Route} accepts security events again; what waits in the durable buffer is sent now");
                    send.AddDelivered(events.Count);
                    _statistics.AddDelivered(events.Count);
                    if (attempt > 1)
                        _reporter.Warn($"{events.Count} security event(s) delivered to {Text.Route} after {attempt} attempts");
                    return;

                case DeliveryAction.CutSmaller:
                    if (_sizeLimit.OnTooLarge(body.Count))
                        _reporter.Warn($"{Text.Route} refused a request of {body.Count} bytes as too large (413); requests are now cut to {_sizeLimit.Current} bytes");
                    await SendCutSmallerAsync(send, events, failingSince, bisection).ConfigureAwait(false);
                    return;

                case DeliveryAction.Bisect when bisection == null:
                    await ProbeThenSendRestAsync(send, events, failingSince, new Bisection(Text.Describe(result), refusedBothWays)).ConfigureAwait(false);
                    return;

                case DeliveryAction.Bisect:
                    var (first, second) = events.Halves();
                    await SendAsync(send, first, failingSince, bisection).ConfigureAwait(false);
                    await SendAsync(send, second, failingSince, bisection).ConfigureAwait(false);
                    return;

                case DeliveryAction.Drop:
                    var tooLarge = decision.Reason == DropReason.TooLarge;
                    _notDelivered.Drop(send, events, decision.Reason, LoggingFailureKind.Permanent,
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
                send.Defer(Text.Describe(result) + Text.Hint(decision.FailureClass, result));
                return;
            }

            if (Spills && decision.FailureClass != FailureClass.TooLargeUnproven)
            {
                // On disk at once rather than retried in memory: a crash then loses less, and the requests behind this
                // one are not held up; the replayer retries it, pacing itself on the endpoint.
                _notDelivered.Spill(send, events, Text.Describe(result) + Text.Hint(decision.FailureClass, result));
                return;
            }

            if (retry.IsGiveUp)
            {
                await GiveUpAsync(send, events, failingSince, bisection, decision, result, retry.Reason, attempt, failingFor).ConfigureAwait(false);
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
    async Task GiveUpAsync(BatchSend send, EventSet events, long? failingSince, Bisection? bisection, Decision decision,
        IngestResult result, DropReason reason, int attempt, TimeSpan failingFor)
    {
        if (decision.FailureClass == FailureClass.TooLargeUnproven && events.Count > 1)
        {
            // A doubtful 413 that cannot be tried again proves nothing either: send the halves (the limit stays).
            await SendCutSmallerAsync(send, events, failingSince, bisection).ConfigureAwait(false);
            return;
        }

        var final = reason == DropReason.Shutdown;
        // An endpoint that fails during shutdown would make every later request wait for it too; one that answered
        // (a 413 in doubt) is up, so the rest still goes.
        if (final && decision.FailureClass != FailureClass.TooLargeUnproven)
            _shutdown.MarkFailed();
        _notDelivered.Drop(send, events, reason, final ? LoggingFailureKind.Final : LoggingFailureKind.Permanent,
            final ? "The last attempt while the logger was being disposed failed" : "Gave up: retryTimeLimit passed",
            final
                ? Text.Describe(result)
                : $"{attempt} attempt(s) over {failingFor.TotalSeconds:0.#} s; last failure: {Text.Describe(result)}{Text.GiveUpHint(decision.FailureClass, result)}",
            Text.ToException(result));
    }

    public void Dispose()
    {
        _body.Dispose();
        _notDelivered.Dispose();
    }
}
