using System;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// Delivers a <see cref="FormattedBatch"/>: cuts one request at a time to the current size limit and, for each, posts
/// it, asks <see cref="DeliveryPolicy.Decide"/> once per answer and carries the decision out (retry, resend
/// uncompressed, cut smaller, bisect a 400, drop, give up, write to the durable buffer, leave on disk) until every event
/// is delivered, dropped, or on disk. What became of each event the batch records. Runs on one loop (the delivery loop,
/// or the buffer's replayer, each with its own sender, in its own <see cref="DeliveryMode"/>): it owns its state and
/// takes no locks; what the two share is in <see cref="EndpointState"/>.
/// </summary>
internal sealed class RequestSender : IDisposable
{
    /// <summary>
    /// Dynatrace drops records older than 24 hours after accepting them, silently; an hour's margin covers clock skew
    /// between this machine and the tenant and the time a request takes.
    /// </summary>
    public static readonly TimeSpan MaximumEventAge = TimeSpan.FromHours(23);

    static readonly TimeSpan AbandonAfterAtLeast = TimeSpan.FromSeconds(1);

    readonly HttpIngestClient _client;
    readonly DeliveryMode _mode;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly ShutdownSignal _shutdown;
    readonly EndpointState _endpoint;
    readonly TimeProvider _time;
    readonly Backoff _backoff;
    readonly BufferDirectory? _spillTo;
    readonly Func<Task>? _abandonWhen;
    readonly TimeSpan _requestTimeout;
    readonly TimeSpan _retryTimeLimit;
    readonly FailureText _text;
    readonly RequestSizeLimit _sizeLimit;
    readonly PooledBufferWriter _body = new();
    bool _gzip;
    bool _gzipProven;

    /// <summary>
    /// A sender in <paramref name="mode"/>; in <see cref="DeliveryMode.Durable"/> failed requests go to
    /// <paramref name="spillTo"/>, and <paramref name="abandonWhen"/> signals that a request still unanswered (after at
    /// least a second) is to be given up for it: the queue filling up behind it.
    /// </summary>
    public RequestSender(HttpIngestClient client, SinkSettings settings, DeliveryMode mode, FailureReporter reporter, SinkStatistics statistics,
        ShutdownSignal shutdown, EndpointState endpoint, TimeProvider time, Backoff backoff, BufferDirectory? spillTo = null,
        Func<Task>? abandonWhen = null)
    {
        _client = client;
        _mode = mode;
        _reporter = reporter;
        _statistics = statistics;
        _shutdown = shutdown;
        _endpoint = endpoint;
        _time = time;
        _backoff = backoff;
        _spillTo = mode == DeliveryMode.Durable ? spillTo : null;
        _abandonWhen = mode == DeliveryMode.Durable ? abandonWhen : null;
        _requestTimeout = settings.RequestTimeout;
        _retryTimeLimit = settings.RetryTimeLimit;
        _text = new FailureText(settings);
        _sizeLimit = new RequestSizeLimit(settings.BatchSizeLimitBytes);
        _gzip = settings.Compression == DynatraceSecurityCompression.Gzip;
    }

    /// <summary>Delivers every event of <paramref name="batch"/>, or drops it (reported), or leaves it on disk.</summary>
    public async Task SendAsync(FormattedBatch batch)
    {
        var all = EventSet.Range(0, batch.Count);
        var next = 0;
        while (next < batch.Count && !batch.Deferred)
        {
            // Cut one request at a time; once sending has stopped, what is left goes as one to be reported, or to disk
            // still one request to a file (no buffer file is larger than a request).
            var count = _shutdown.ShouldStopSending && _mode != DeliveryMode.Durable ? batch.Count - next : CountFitting(batch, all, next);
            await SendAsync(batch, all.Slice(next, count), failingSince: null, bisection: null).ConfigureAwait(false);
            next += count;
            batch.ReportDrops(_reporter);
        }
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

    async Task SendAsync(FormattedBatch batch, EventSet events, long? failingSince, Bisection? bisection)
    {
        var attempt = 1;
        var tooLargeAnswers = 0;
        int? compressedRefused = null;
        CancellationTokenSource? timeout = null;
        try
        {
            while (true)
            {
                if (batch.Deferred)
                    return;
                if (_shutdown.ShouldStopSending)
                {
                    AtShutdown(batch, events);
                    return;
                }

                events = batch.NotOlderThan(events, _time.GetUtcNow() - MaximumEventAge,
                    $"Not sent: older than {MaximumEventAge.TotalHours:0} hours (Dynatrace drops records older than 24 hours after accepting them)");
                if (events.Count == 0)
                    return;

                if (_mode == DeliveryMode.Durable && (_endpoint.Down || _endpoint.Wait > TimeSpan.Zero))
                {
                    // The endpoint is down or asked to wait: straight to disk; the replayer probes it with the oldest file.
                    Spill(batch, events, _endpoint.Down ? "the endpoint is down" : "the endpoint asked to wait (Retry-After)");
                    return;
                }

                if (!_shutdown.IsShuttingDown)
                    await _time.WaitAsync(_endpoint.Wait, _shutdown.Token).ConfigureAwait(false);

                var body = batch.WriteBody(events, _body);
                var plain = compressedRefused != null || (bisection is { Uncompressed: true, Probing: false } && !_gzipProven);
                // An attempt's uncompressed resend shares its requestTimeout, so one attempt stays bounded by it.
                if (compressedRefused == null)
                {
                    timeout?.Dispose();
                    timeout = _time.Timeout(_requestTimeout);
                }

                var (result, compressed) = await PostAsync(body, plain, timeout!).ConfigureAwait(false);
                Learn(result, compressed, compressedRefused);
                // A token endpoint's 400 or 413 says nothing about these events.
                if (result.StatusCode == 413 && !result.FromTokenEndpoint)
                    tooLargeAnswers++;
                if (result.StatusCode == 400 && !result.FromTokenEndpoint)
                    bisection?.Refused(_text.Describe(result));

                var decision = DeliveryPolicy.Decide(new Attempt(result, events.Count, body.Count, compressed, _gzipProven, _sizeLimit.ProvenFits,
                    tooLargeAnswers, _mode, _backoff.DelayAfter(attempt), failingSince is { } since ? _time.GetElapsedTime(since) : TimeSpan.Zero,
                    _retryTimeLimit, _shutdown.IsShuttingDown));
                if (decision.PaceEveryone is { } pace)
                    _endpoint.PauseFor(pace);
                _statistics.Health.Record(result, decision.FailureClass, _text);

                switch (decision.Action)
                {
                    case DeliveryAction.Delivered:
                        _sizeLimit.OnAccepted(body.Count);
                        batch.MarkDelivered(events);
                        bisection?.Accepted();
                        if (_endpoint.MarkUp())
                            _reporter.Warn($"{_text.Route} accepts security events again; what waits in the durable buffer is sent now");
                        _statistics.AddDelivered(events.Count);
                        if (attempt > 1)
                            _reporter.Warn($"{events.Count} security event(s) delivered to {_text.Route} after {attempt} attempts");
                        return;

                    case DeliveryAction.ResendUncompressed:
                        compressedRefused = result.StatusCode;
                        continue;

                    case DeliveryAction.CutSmaller:
                        // A doubtful 413 that may not be tried again proves nothing: the halves go, the limit stays.
                        if (decision.FailureClass != FailureClass.TooLargeUnproven && _sizeLimit.OnTooLarge(body.Count))
                            _reporter.Warn($"{_text.Route} refused a request of {body.Count} bytes as too large (413); requests are now cut to {_sizeLimit.Current} bytes");
                        await SendCutSmallerAsync(batch, events, failingSince, bisection).ConfigureAwait(false);
                        return;

                    case DeliveryAction.Bisect when bisection == null:
                        await ProbeThenSendRestAsync(batch, events, failingSince, new Bisection(_text.Describe(result), uncompressed: compressedRefused != null))
                            .ConfigureAwait(false);
                        return;

                    case DeliveryAction.Bisect:
                        var (first, second) = events.Halves();
                        await SendAsync(batch, first, failingSince, bisection).ConfigureAwait(false);
                        await SendAsync(batch, second, failingSince, bisection).ConfigureAwait(false);
                        return;

                    case DeliveryAction.Drop:
                        var tooLarge = decision.Reason == DropReason.TooLarge;
                        batch.Drop(events, decision.Reason, LoggingFailureKind.Permanent,
                            tooLarge ? "The endpoint refused single security events as too large" : "Dynatrace rejected security events; they will not be retried",
                            tooLarge ? $"{body.Count} bytes, {_text.Describe(result)}" : _text.Describe(result), _text.ToException(result));
                        return;

                    case DeliveryAction.Spill:
                        // On disk at once rather than retried in memory: a crash then loses less, and the requests behind this
                        // one are not held up; the replayer retries it, pacing itself on the endpoint.
                        Spill(batch, events, _text.Describe(result) + _text.Hint(decision.FailureClass, result));
                        return;

                    case DeliveryAction.Defer:
                        batch.Defer(_text.Describe(result) + _text.Hint(decision.FailureClass, result));
                        return;

                    case DeliveryAction.GiveUp:
                        var final = decision.Reason == DropReason.Shutdown;
                        // An endpoint that fails during shutdown would make every later request wait for it too; one that
                        // answered (a 413 in doubt) is up, so the rest still goes.
                        if (final && decision.FailureClass != FailureClass.TooLargeUnproven)
                            _shutdown.MarkFailed();
                        var failingFor = failingSince is { } started ? _time.GetElapsedTime(started) : TimeSpan.Zero;
                        batch.Drop(events, decision.Reason, final ? LoggingFailureKind.Final : LoggingFailureKind.Permanent,
                            final ? "The last attempt while the logger was being disposed failed" : "Gave up: retryTimeLimit passed",
                            final
                                ? _text.Describe(result)
                                : $"{attempt} attempt(s) over {failingFor.TotalSeconds:0.#} s; last failure: {_text.Describe(result)}{_text.GiveUpHint(decision.FailureClass, result)}",
                            _text.ToException(result));
                        return;

                    default: // Retry
                        failingSince ??= _time.GetTimestamp();
                        _statistics.AddRetried(events.Count);
                        _reporter.ReportTemporary(
                            $"Attempt {attempt} failed ({_text.Describe(result)}){_text.Hint(decision.FailureClass, result)}; retrying in {decision.Delay.TotalSeconds:0.#} s",
                            batch.EventsOf(events), _text.ToException(result));
                        await _time.WaitAsync(decision.Delay, _shutdown.Token).ConfigureAwait(false);
                        attempt++;
                        compressedRefused = null;
                        continue;
                }
            }
        }
        finally
        {
            timeout?.Dispose();
        }
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
            batch.Drop(rest, DropReason.Rejected, LoggingFailureKind.Permanent,
                $"Dynatrace refused every one of {probes.Count} events of a request sent alone; the other {rest.Count} were not sent",
                bisection.LastRefusal);
            return;
        }

        await SendAsync(batch, rest, failingSince, bisection).ConfigureAwait(false);
    }

    /// <summary>What a request left when the logger stopped sending: on disk (or left there), else reported.</summary>
    void AtShutdown(FormattedBatch batch, EventSet events)
    {
        if (_mode == DeliveryMode.Replaying)
            batch.Defer(_shutdown.StopReason);
        else if (_mode == DeliveryMode.Durable)
            Spill(batch, events, "the logger was disposed: " + _shutdown.StopReason);
        else
            batch.Drop(events, DropReason.Shutdown, LoggingFailureKind.Final, $"Not sent to {_text.Route}: {_shutdown.StopReason}");
    }

    /// <summary>Writes the request's events to the durable buffer; drops them (reported) when that cannot be done.</summary>
    void Spill(FormattedBatch batch, EventSet events, string why)
    {
        var problem = _spillTo!.TryWrite(batch, events, _body);
        if (problem == null)
        {
            batch.MarkSpilled(events);
            _statistics.AddPersisted(events.Count);
            if (_endpoint.MarkDown())
                _reporter.Warn($"Security events wait in the durable buffer until {_text.Route} accepts again: {why}");
            _endpoint.NotifySpilled();
            return;
        }

        batch.Drop(events, problem.StartsWith("the durable buffer is full", StringComparison.Ordinal) ? DropReason.BufferFull : DropReason.BufferFailed,
            _shutdown.IsShuttingDown ? LoggingFailureKind.Final : LoggingFailureKind.Permanent, $"Not kept in the durable buffer ({why})", problem);
    }

    /// <summary>
    /// One POST within what is left of the attempt's <paramref name="timeout"/>, gzip-compressed while compression is on
    /// and pays (unless <paramref name="plain"/>); counted in the metrics. Durable, a request still unanswered when the
    /// queue fills to half (after at least a second) is given up at once, as if it had timed out.
    /// </summary>
    async Task<(IngestResult Result, bool Compressed)> PostAsync(ArraySegment<byte> body, bool plain, CancellationTokenSource timeout)
    {
        using var gzip = _gzip && !plain ? GzipBody.Compress(body) : null;
        // Not compressible (or not compressed): the plain bytes are the cheaper request.
        var compressed = gzip != null && gzip.Bytes.Count < body.Count;
        var started = _time.GetTimestamp();
        var posting = _client.PostAsync(compressed ? gzip!.Bytes : body, compressed, timeout.Token);
        IngestResult result;
        if (_abandonWhen != null && await AbandonedAsync(posting, _abandonWhen(), started).ConfigureAwait(false))
        {
            timeout.Cancel();
            var late = await posting.ConfigureAwait(false);
            result = late.IsSuccess
                ? late
                : IngestResult.NoResponse($"no answer after {_time.GetElapsedTime(started).TotalSeconds:0.#} s while the queue filled to half its limit; given up for the durable buffer");
        }
        else
        {
            result = await posting.ConfigureAwait(false);
        }

        // A failed token request posted nothing: it is not an ingest request to count.
        if (!result.FromTokenEndpoint)
            _statistics.RecordRequest(result, _time.GetElapsedTime(started));
        return (result, compressed);
    }

    /// <summary>True when <paramref name="abandon"/> fired and the request, at least a second old, is still unanswered.</summary>
    async Task<bool> AbandonedAsync(Task<IngestResult> posting, Task abandon, long started)
    {
        if (await Task.WhenAny(posting, abandon).ConfigureAwait(false) == posting)
            return false;
        var rest = AbandonAfterAtLeast - _time.GetElapsedTime(started);
        if (rest > TimeSpan.Zero)
        {
            using var stop = new CancellationTokenSource();
            await Task.WhenAny(posting, _time.WaitAsync(rest, stop.Token)).ConfigureAwait(false);
            stop.Cancel(); // the timer is not needed once the request has answered
        }

        return !posting.IsCompleted;
    }

    /// <summary>What an answer teaches about the endpoint: whether it takes gzip, whether a token was renewed.</summary>
    void Learn(IngestResult result, bool compressed, int? compressedRefused)
    {
        if (result.Reauthenticated)
            _reporter.Warn($"POST {_text.Route} refused the OAuth access token (401); sending the request again with a new one");
        if (compressed && result.IsSuccess)
            _gzipProven = true;
        if (compressedRefused != null && result.IsSuccess && _gzip)
        {
            _gzip = false;
            _reporter.Warn($"POST {_text.Route} refused a gzip-compressed request ({compressedRefused}) and accepted it uncompressed: " +
                "compression is now off for this sink; remove the compression setting from its configuration");
        }
    }

    public void Dispose() => _body.Dispose();
}
