using System;
using System.Collections.Generic;
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
/// Delivers a <see cref="FormattedBatch"/>: cuts one request at a time to the current size limit, posts it, asks
/// <see cref="DeliveryPolicy.Decide"/> once per answer and carries the decision out until every event is delivered,
/// dropped, or on disk. Runs on one loop (the delivery loop, or the replayer, each with its own sender), so it takes no
/// locks; what the two share is in <see cref="EndpointState"/>.
/// </summary>
internal sealed class RequestSender : IDisposable
{
    /// <summary>Dynatrace silently drops records older than 24 hours; the margin covers clock skew and the request.</summary>
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
    readonly EventQueue? _queue;
    readonly TimeSpan _requestTimeout;
    readonly TimeSpan _retryTimeLimit;
    readonly FailureText _text;
    readonly RequestSizeLimit _sizeLimit;
    readonly PooledBufferWriter _body = new();
    bool _gzip;
    bool _gzipProven;

    // The search for the events a 400 was about (BisectAsync): one at a time, within one request of the batch.
    bool _bisecting;
    bool _probing;
    bool _partsPlain;
    bool _probeAccepted;
    int _refusals;
    string _lastRefusal = "";

    /// <summary>
    /// Durable, failed requests go to <paramref name="spillTo"/>; <see cref="PostAsync"/> watches <paramref name="queue"/>.
    /// </summary>
    public RequestSender(HttpIngestClient client, SinkSettings settings, DeliveryMode mode, FailureReporter reporter, SinkStatistics statistics,
        ShutdownSignal shutdown, EndpointState endpoint, TimeProvider time, Backoff backoff, BufferDirectory? spillTo = null,
        EventQueue? queue = null)
    {
        _client = client;
        _mode = mode;
        _reporter = reporter;
        _statistics = statistics;
        _shutdown = shutdown;
        _endpoint = endpoint;
        _time = time;
        _backoff = backoff;
        _spillTo = spillTo;
        _queue = mode == DeliveryMode.Durable ? queue : null;
        _requestTimeout = settings.RequestTimeout;
        _retryTimeLimit = settings.RetryTimeLimit;
        _text = new FailureText(settings);
        _sizeLimit = new RequestSizeLimit(settings.BatchSizeLimitBytes);
        _gzip = settings.Compression == DynatraceSecurityCompression.Gzip;
    }

    public async Task SendAsync(FormattedBatch batch)
    {
        var all = EventSet.Range(0, batch.Count);
        var next = 0;
        while (next < batch.Count && !batch.Deferred)
        {
            // Once sending has stopped, what is left goes as one to be reported; to disk still one request to a file
            // (no buffer file is larger than a request).
            var count = _shutdown.ShouldStopSending && _mode != DeliveryMode.Durable ? batch.Count - next : _sizeLimit.CountFitting(batch, all, next);
            await SendAsync(batch, all.Slice(next, count), failingSince: null).ConfigureAwait(false);
            next += count;
            batch.ReportDrops(_reporter);
        }
    }

    async Task SendAsync(FormattedBatch batch, EventSet events, long? failingSince)
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
                    // Straight to disk: the replayer probes the endpoint with the oldest file.
                    Spill(batch, events, _endpoint.Down ? "the endpoint is down" : "the endpoint asked to wait (Retry-After)");
                    return;
                }

                if (!_shutdown.IsShuttingDown)
                    await _time.WaitAsync(_endpoint.Wait, _shutdown.Token).ConfigureAwait(false);

                var body = batch.WriteBody(events, _body);
                var plain = compressedRefused != null || (_bisecting && _partsPlain && !_probing && !_gzipProven);
                // An attempt's uncompressed resend shares its requestTimeout, so one attempt stays bounded by it.
                if (compressedRefused == null)
                {
                    timeout?.Dispose();
                    timeout = _time.Timeout(_requestTimeout);
                }

                var (result, compressed) = await PostAsync(body, compressedRefused, plain, timeout!).ConfigureAwait(false);
                // A token endpoint's 400 or 413 says nothing about these events.
                if (result.StatusCode == 413 && !result.FromTokenEndpoint)
                    tooLargeAnswers++;
                if (result.StatusCode == 400 && !result.FromTokenEndpoint && _bisecting)
                {
                    _lastRefusal = _text.Describe(result);
                    _refusals++;
                }

                var failingFor = failingSince is { } since ? _time.GetElapsedTime(since) : TimeSpan.Zero;
                var decision = DeliveryPolicy.Decide(result, events.Count, body.Count, compressed, _gzipProven, _sizeLimit.ProvenFits,
                    tooLargeAnswers, _mode, _backoff.DelayAfter(attempt), failingFor, _retryTimeLimit, _shutdown.IsShuttingDown);
                if (decision.PaceEveryone is { } pace)
                    _endpoint.PauseFor(pace);
                _statistics.Health.Record(result, decision.FailureClass, _text);

                switch (decision.Action)
                {
                    case DeliveryAction.Delivered:
                        _sizeLimit.OnAccepted(body.Count);
                        batch.MarkDelivered(events);
                        _probeAccepted |= _bisecting;
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
                        // A doubtful 413 that may not be tried again proves nothing: the parts go, the limit stays.
                        if (decision.FailureClass != FailureClass.TooLargeUnproven && _sizeLimit.OnTooLarge(body.Count))
                            _reporter.Warn($"{_text.Route} refused a request of {body.Count} bytes as too large (413); requests are now cut to {_sizeLimit.Current} bytes");
                        await SendCutSmallerAsync(batch, events, failingSince).ConfigureAwait(false);
                        return;

                    case DeliveryAction.Bisect when !_bisecting:
                        var plainToo = compressedRefused != null;
                        await BisectAsync(batch, events, failingSince, _text.Describe(result), plainToo).ConfigureAwait(false);
                        return;

                    case DeliveryAction.Bisect:
                        var (first, second) = events.Halves();
                        await SendAsync(batch, first, failingSince).ConfigureAwait(false);
                        await SendAsync(batch, second, failingSince).ConfigureAwait(false);
                        return;

                    case DeliveryAction.Drop:
                        var tooLarge = decision.Reason == DropReason.TooLarge;
                        batch.Drop(events, decision.Reason, LoggingFailureKind.Permanent,
                            tooLarge ? "The endpoint refused single security events as too large" : "Dynatrace rejected security events; they will not be retried",
                            tooLarge ? $"{body.Count} bytes, {_text.Describe(result)}" : _text.Describe(result), _text.ToException(result));
                        return;

                    case DeliveryAction.Spill:
                        // On disk at once rather than retried in memory: a crash then loses less, and the requests behind
                        // are not held up; the replayer retries it, pacing itself on the endpoint.
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

    /// <summary>The events in parts cut to the current limit, or in halves when it does not split them.</summary>
    async Task SendCutSmallerAsync(FormattedBatch batch, EventSet events, long? failingSince)
    {
        var start = 0;
        while (start < events.Count)
        {
            var count = _sizeLimit.CountFitting(batch, events, start);
            if (start == 0 && count == events.Count)
                count = events.Count / 2;
            await SendAsync(batch, events.Slice(start, count), failingSince).ConfigureAwait(false);
            start += count;
        }
    }

    /// <summary>
    /// The search for the events a 400 was about, within one request (docs/delivery.md). Bad events often come together,
    /// so the probes are the first, the middle and the last. A request refused both gzip-compressed and plain
    /// (<paramref name="plain"/>) has its parts go plain after the probes (which still settle whether gzip is refused)
    /// while gzip is unproven.
    /// </summary>
    async Task BisectAsync(FormattedBatch batch, EventSet events, long? failingSince, string refusal, bool plain)
    {
        (_bisecting, _partsPlain, _lastRefusal, _refusals, _probeAccepted) = (true, plain, refusal, 0, false);
        try
        {
            var probes = new List<int> { 0 };
            if (events.Count > 2)
                probes.Add(events.Count / 2);
            if (events.Count > 1)
                probes.Add(events.Count - 1);
            _probing = true;
            foreach (var position in probes)
                await SendAsync(batch, events.Slice(position, 1), failingSince).ConfigureAwait(false);
            _probing = false;

            var rest = events.Without(probes);
            if (rest.Count == 0)
                return;
            if (!_probeAccepted && _refusals >= probes.Count)
            {
                batch.Drop(rest, DropReason.Rejected, LoggingFailureKind.Permanent,
                    $"Dynatrace refused every one of {probes.Count} events of a request sent alone; the other {rest.Count} were not sent",
                    _lastRefusal);
                return;
            }

            await SendAsync(batch, rest, failingSince).ConfigureAwait(false);
        }
        finally
        {
            _bisecting = _probing = false;
        }
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

    /// <summary>Writes the events to the durable buffer; drops them (reported) when that cannot be done.</summary>
    void Spill(FormattedBatch batch, EventSet events, string why)
    {
        var problem = _spillTo!.TryWrite(batch, events, _body, out var full);
        if (problem == null)
        {
            batch.MarkSpilled(events);
            _statistics.AddPersisted(events.Count);
            if (_endpoint.MarkDown())
                _reporter.Warn($"Security events wait in the durable buffer until {_text.Route} accepts again: {why}");
            _endpoint.NotifySpilled();
            return;
        }

        batch.Drop(events, full ? DropReason.BufferFull : DropReason.BufferFailed,
            _shutdown.IsShuttingDown ? LoggingFailureKind.Final : LoggingFailureKind.Permanent, $"Not kept in the durable buffer ({why})", problem);
    }

    /// <summary>
    /// One POST within the attempt's <paramref name="timeout"/>, gzipped while compression is on and pays (unless
    /// <paramref name="plain"/>), and what its answer teaches. Durable, one still unanswered (after at least a second)
    /// when the queue fills to half is given up, as if it had timed out.
    /// </summary>
    async Task<(IngestResult Result, bool Compressed)> PostAsync(ArraySegment<byte> body, int? compressedRefused, bool plain,
        CancellationTokenSource timeout)
    {
        using var gzip = _gzip && !plain ? GzipBody.Compress(body) : null;
        var compressed = gzip != null && gzip.Bytes.Count < body.Count;
        var started = _time.GetTimestamp();
        var posting = _client.PostAsync(compressed ? gzip!.Bytes : body, compressed, timeout.Token);
        var abandoned = _queue != null && await AbandonedAsync(posting, _queue.HalfFull(), started).ConfigureAwait(false);
        if (abandoned)
            timeout.Cancel();
        var result = await posting.ConfigureAwait(false);
        if (abandoned && !result.IsSuccess)
            result = IngestResult.NoResponse($"no answer after {_time.GetElapsedTime(started).TotalSeconds:0.#} s while the queue filled to half its limit; given up for the durable buffer");

        // A failed token request posted nothing: it is not an ingest request to count.
        if (!result.FromTokenEndpoint)
            _statistics.RecordRequest(result, _time.GetElapsedTime(started));
        if (result.Reauthenticated)
            _reporter.Warn($"POST {_text.Route} refused the OAuth access token (401); sending the request again with a new one");
        _gzipProven |= compressed && result.IsSuccess;
        if (compressedRefused != null && result.IsSuccess && _gzip)
        {
            _gzip = false;
            _reporter.Warn($"POST {_text.Route} refused a gzip-compressed request ({compressedRefused}) and accepted it uncompressed: " +
                "compression is now off for this sink; remove the compression setting from its configuration");
        }

        return (result, compressed);
    }

    /// <summary>True when <paramref name="halfFull"/> completed and the request, at least a second old, is still unanswered.</summary>
    async Task<bool> AbandonedAsync(Task<IngestResult> posting, Task halfFull, long started)
    {
        if (await Task.WhenAny(posting, halfFull).ConfigureAwait(false) == posting)
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

    public void Dispose() => _body.Dispose();
}
