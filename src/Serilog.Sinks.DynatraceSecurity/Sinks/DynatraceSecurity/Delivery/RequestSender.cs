using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// Delivers a formatted batch: cuts one request at a time to the current size limit, sends it, and carries out what
/// <see cref="DeliveryPolicy"/> decides about each answer until every event is delivered or reported. Never throws.
/// Runs on the single delivery loop: it owns its state and takes no locks.
/// </summary>
internal sealed class RequestSender : IDisposable
{
    readonly IIngestClient _client;
    readonly DeliveryOptions _options;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly ShutdownSignal _shutdown;
    readonly RequestSizeLimit _sizeLimit;
    readonly PooledBufferWriter _body = new();
    readonly DropCollector _drops = new();
    bool _gzip;
    bool _gzipProven;
    long _notBefore;

    public RequestSender(IIngestClient client, DeliveryOptions options, FailureReporter reporter, SinkStatistics statistics, ShutdownSignal shutdown)
    {
        _client = client;
        _options = options;
        _reporter = reporter;
        _statistics = statistics;
        _shutdown = shutdown;
        _sizeLimit = new RequestSizeLimit(options.BatchSizeLimitBytes);
        _gzip = options.Gzip;
    }

    FailureText Text => _options.Text;

    TimeProvider Time => _options.Time;

    public async Task SendAsync(FormattedBatch batch)
    {
        try
        {
            var all = EventSet.Range(0, batch.Count);
            var next = 0;
            while (next < batch.Count)
            {
                if (_shutdown.ShouldStopSending)
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
    }

    void Drop(FormattedBatch batch, EventSet events, DropReason reason, LoggingFailureKind kind, string message, string? detail = null, Exception? exception = null)
    {
        batch.MarkResolved(events);
        _drops.Add(reason, kind, message, detail, batch.EventsOf(events), exception);
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

    /// <summary>After a believed 413: the events sent in parts cut to the lowered limit, or in halves when it does not split them.</summary>
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

    async Task SendAsync(FormattedBatch batch, EventSet events, long? failingSince, Bisection? bisection)
    {
        var tooLargeAnswers = 0;
        for (var attempt = 1; ; attempt++)
        {
            if (_shutdown.ShouldStopSending)
            {
                Drop(batch, events, DropReason.Shutdown, LoggingFailureKind.Final, $"Not sent to {Text.Route}: {_shutdown.StopReason}");
                return;
            }

            events = WithoutTooOld(batch, events);
            if (events.Count == 0)
                return;

            if (bisection is { Exhausted: true })
            {
                // The endpoint refuses every part (a proxy, a WAF, a pipeline rule): stop bisecting, report them all.
                Drop(batch, events, DropReason.Rejected, LoggingFailureKind.Permanent,
                    "Dynatrace rejected every part of a request; the rest was not sent again", bisection.LastRefusal);
                return;
            }

            if (!_shutdown.IsShuttingDown)
                await Time.WaitAsync(Time.GetElapsedTime(Time.GetTimestamp(), _notBefore), _shutdown.Token).ConfigureAwait(false);

            var body = batch.WriteBody(events, _body);
            var (result, decision) = await PostAsync(body, events.Count, tooLargeAnswers).ConfigureAwait(false);
            if (result.StatusCode == 413)
                tooLargeAnswers++;
            if (result.StatusCode == 400)
                bisection?.Refused(Text.Describe(result));

            switch (decision.Action)
            {
                case DeliveryAction.Delivered:
                    _sizeLimit.OnAccepted(body.Count);
                    batch.MarkResolved(events);
                    bisection?.Accepted();
                    _statistics.AddDelivered(events.Count);
                    if (attempt > 1)
                        _reporter.Warn($"{events.Count} security event(s) delivered to {Text.Route} after {attempt} attempts");
                    return;

                case DeliveryAction.CutSmaller:
                    if (_sizeLimit.OnTooLarge(body.Count))
                        _reporter.Warn($"{Text.Route} refused a request of {body.Count} bytes as too large (413); requests are now cut to {_sizeLimit.Current} bytes");
                    await SendCutSmallerAsync(batch, events, failingSince, bisection).ConfigureAwait(false);
                    return;

                case DeliveryAction.Bisect:
                    bisection ??= new Bisection(events.Count, Text.Describe(result));
                    var (first, second) = events.Halves();
                    await SendAsync(batch, first, null, bisection).ConfigureAwait(false);
                    await SendAsync(batch, second, null, bisection).ConfigureAwait(false);
                    return;

                case DeliveryAction.Drop:
                    Drop(batch, events, decision.Reason, LoggingFailureKind.Permanent,
                        decision.Reason == DropReason.TooLarge
                            ? "The endpoint refused single security events as too large"
                            : "Dynatrace rejected security events; they will not be retried",
                        decision.Reason == DropReason.TooLarge ? $"{body.Count} bytes, {Text.Describe(result)}" : Text.Describe(result),
                        Text.ToException(result));
                    return;
            }

            failingSince ??= Time.GetTimestamp();
            var failingFor = Time.GetElapsedTime(failingSince.Value);
            var retry = DeliveryPolicy.ScheduleRetry(result, _options.Backoff.DelayAfter(attempt, _options.Random()), failingFor,
                _options.RetryTimeLimit, _shutdown.IsShuttingDown);
            if (retry.PaceEveryone is { } pace)
                _notBefore = Time.GetTimestamp() + (long)(pace.TotalSeconds * Time.TimestampFrequency);
            if (retry.IsGiveUp)
            {
                var final = retry.Reason == DropReason.Shutdown;
                // An endpoint that fails during shutdown would make every later request wait for it too; one that
                // answered (a 413 in doubt) is up, so the rest still goes.
                if (final && decision.FailureClass != FailureClass.TooLargeUnproven)
                    _shutdown.MarkFailed();
                Drop(batch, events, retry.Reason, final ? LoggingFailureKind.Final : LoggingFailureKind.Permanent,
                    final ? "The last attempt while the logger was being disposed failed" : "Gave up: retryTimeLimit passed",
                    final
                        ? Text.Describe(result)
                        : $"{attempt} attempt(s) over {failingFor.TotalSeconds:0.#} s; last failure: {Text.Describe(result)}{Text.Hint(decision.FailureClass, result)}",
                    Text.ToException(result));
                return;
            }

            _statistics.AddRetried(events.Count);
            _reporter.ReportTemporary(
                $"Attempt {attempt} failed ({Text.Describe(result)}){Text.Hint(decision.FailureClass, result)}; retrying in {retry.Delay.TotalSeconds:0.#} s",
                batch.EventsOf(events), Text.ToException(result));
            await Time.WaitAsync(retry.Delay, _shutdown.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One POST, within one <c>requestTimeout</c>: gzip-compressed while compression is on and pays, and once more
    /// uncompressed when the policy says the endpoint may not take gzip.
    /// </summary>
    async Task<(IngestResult, Decision)> PostAsync(ArraySegment<byte> body, int eventCount, int tooLargeAnswers)
    {
        using var timeout = Time.Timeout(_options.RequestTimeout);
        IngestResult result;
        Decision decision;
        using (var gzip = _gzip ? GzipBody.Compress(body) : null)
        {
            // Not compressible (or not compressed): the plain bytes are the cheaper request.
            var compressed = gzip != null && gzip.Bytes.Count < body.Count;
            result = await PostOnceAsync(compressed ? gzip!.Bytes : body, compressed, timeout.Token).ConfigureAwait(false);
            decision = Decide(result, eventCount, body.Count, compressed, tooLargeAnswers);
            if (compressed && result.IsSuccess)
                _gzipProven = true;
            if (decision.Action != DeliveryAction.ResendUncompressed)
                return (result, decision);
        }

        var refusal = result.StatusCode;
        result = await PostOnceAsync(body, gzip: false, timeout.Token).ConfigureAwait(false);
        if (result.IsSuccess && _gzip)
        {
            _gzip = false;
            _reporter.Warn($"POST {Text.Route} refused a gzip-compressed request ({refusal}) and accepted it uncompressed: " +
                "compression is now off for this sink; remove the compression setting from its configuration");
        }

        return (result, Decide(result, eventCount, body.Count, compressed: false, tooLargeAnswers));
    }

    Decision Decide(IngestResult result, int eventCount, int length, bool compressed, int earlierTooLargeAnswers) =>
        DeliveryPolicy.Decide(new Attempt(result, eventCount, length, compressed, _gzipProven, _sizeLimit.ProvenFits,
            earlierTooLargeAnswers + (result.StatusCode == 413 ? 1 : 0)));

    async Task<IngestResult> PostOnceAsync(ArraySegment<byte> body, bool gzip, System.Threading.CancellationToken timeout)
    {
        var started = Time.GetTimestamp();
        var result = await _client.PostAsync(body, gzip, timeout).ConfigureAwait(false);
        _statistics.RecordRequest(result.StatusCode, Time.GetElapsedTime(started));
        return result;
    }

    /// <summary>Reports events Dynatrace would drop silently after accepting them (older than 24 hours) and leaves them out.</summary>
    EventSet WithoutTooOld(FormattedBatch batch, EventSet events)
    {
        var cutoff = Time.GetUtcNow() - DeliveryOptions.MaximumEventAge;
        List<int>? kept = null;
        for (var i = 0; i < events.Count; i++)
        {
            var old = batch[events[i]].Timestamp < cutoff;
            if (old && kept == null)
            {
                kept = new List<int>(events.Count);
                for (var j = 0; j < i; j++)
                    kept.Add(events[j]);
            }

            if (old)
            {
                batch.MarkResolved(events[i]);
                _drops.Add(DropReason.TooOld, LoggingFailureKind.Permanent,
                    $"Not sent: older than {DeliveryOptions.MaximumEventAge.TotalHours:0} hours (Dynatrace drops records older than 24 hours after accepting them)",
                    null, new[] { batch[events[i]] });
            }
            else
                kept?.Add(events[i]);
        }

        return kept == null ? events : EventSet.Of(kept);
    }

    public void Dispose() => _body.Dispose();
}
