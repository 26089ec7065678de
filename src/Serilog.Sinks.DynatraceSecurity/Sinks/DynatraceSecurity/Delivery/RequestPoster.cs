using System;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// One attempt at a request, within one <c>requestTimeout</c>: gzip-compressed while compression is on and pays, and
/// once more uncompressed when <see cref="DeliveryPolicy"/> says the endpoint may not take gzip (compression is then
/// turned off for good if the plain request is accepted), and once more with a new OAuth token when it says a 401 may
/// be cured so. A request still unanswered when the caller's abandon signal fires (after at least a second) is given
/// up at once, as if it had timed out. Counts every POST in the metrics. Owned by the delivery loop.
/// </summary>
internal sealed class RequestPoster
{
    static readonly TimeSpan AbandonAfterAtLeast = TimeSpan.FromSeconds(1);

    readonly IIngestClient _client;
    readonly DeliveryOptions _options;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    bool _gzip;

    public RequestPoster(IIngestClient client, DeliveryOptions options, FailureReporter reporter, SinkStatistics statistics)
    {
        _client = client;
        _options = options;
        _reporter = reporter;
        _statistics = statistics;
        _gzip = options.Gzip;
    }

    /// <summary>True once the endpoint has accepted a compressed request.</summary>
    public bool GzipProven { get; private set; }

    TimeProvider Time => _options.Time;

    /// <param name="body">The uncompressed body.</param>
    /// <param name="plainOnly">Send it uncompressed whatever the setting (a bisection of a request refused both ways).</param>
    /// <param name="decide">The policy's decision on an answer, given whether that request was compressed and whether it
    /// went again with a new OAuth token.</param>
    /// <param name="abandon">Completes when a request still unanswered should be given up (null: never).</param>
    /// <returns>The last answer, the decision on it, and whether a compressed and a plain request were both refused.</returns>
    public async Task<(IngestResult Result, Decision Decision, bool RefusedBothWays)> PostAsync(
        ArraySegment<byte> body, bool plainOnly, Func<IngestResult, bool, bool, Decision> decide, Task? abandon = null)
    {
        using var timeout = Time.Timeout(_options.RequestTimeout);
        IngestResult result;
        Decision decision;
        bool reauthenticated;
        using (var gzip = _gzip && !plainOnly ? GzipBody.Compress(body) : null)
        {
            // Not compressible (or not compressed): the plain bytes are the cheaper request.
            var compressed = gzip != null && gzip.Bytes.Count < body.Count;
            (result, decision, reauthenticated) = await PostOnceAsync(compressed ? gzip!.Bytes : body, compressed, false, decide, timeout, abandon)
                .ConfigureAwait(false);
            if (compressed && result.IsSuccess)
                GzipProven = true;
            if (decision.Action != DeliveryAction.ResendUncompressed)
                return (result, decision, false);
        }

        var refusal = result.StatusCode;
        (result, decision, _) = await PostOnceAsync(body, false, reauthenticated, decide, timeout, abandon).ConfigureAwait(false);
        if (result.IsSuccess && _gzip)
        {
            _gzip = false;
            _reporter.Warn($"POST {_options.Text.Route} refused a gzip-compressed request ({refusal}) and accepted it uncompressed: " +
                "compression is now off for this sink; remove the compression setting from its configuration");
        }

        return (result, decision, result.StatusCode == 400 && !result.FromTokenEndpoint);
    }

    /// <summary>One POST, and at once another with a new OAuth token when the policy says so (a 401 for the old one).</summary>
    async Task<(IngestResult Result, Decision Decision, bool Reauthenticated)> PostOnceAsync(ArraySegment<byte> body, bool gzip,
        bool reauthenticated, Func<IngestResult, bool, bool, Decision> decide, CancellationTokenSource timeout, Task? abandon)
    {
        var result = await SendAsync(body, gzip, timeout, abandon).ConfigureAwait(false);
        var decision = decide(result, gzip, reauthenticated);
        if (decision.Action != DeliveryAction.Reauthenticate)
            return (result, decision, reauthenticated);

        _client.DiscardCredential(result);
        _reporter.Warn($"POST {_options.Text.Route} refused the OAuth access token (401); sending the request again with a new one");
        result = await SendAsync(body, gzip, timeout, abandon).ConfigureAwait(false);
        return (result, decide(result, gzip, true), true);
    }

    async Task<IngestResult> SendAsync(ArraySegment<byte> body, bool gzip, CancellationTokenSource timeout, Task? abandon)
    {
        var started = Time.GetTimestamp();
        var posting = _client.PostAsync(body, gzip, timeout.Token);
        var result = abandon != null && await AbandonedAsync(posting, abandon, started).ConfigureAwait(false)
            ? await GiveUpAsync(posting, timeout, started).ConfigureAwait(false)
            : await posting.ConfigureAwait(false);
        // A failed token request posted nothing: it is not an ingest request to count.
        if (!result.FromTokenEndpoint)
            _statistics.RecordRequest(result, Time.GetElapsedTime(started));
        return result;
    }

    /// <summary>True when <paramref name="abandon"/> fired and the request, at least a second old, is still unanswered.</summary>
    async Task<bool> AbandonedAsync(Task<IngestResult> posting, Task abandon, long started)
    {
        if (await Task.WhenAny(posting, abandon).ConfigureAwait(false) == posting)
            return false;
        var rest = AbandonAfterAtLeast - Time.GetElapsedTime(started);
        if (rest > TimeSpan.Zero)
        {
            using var stop = new CancellationTokenSource();
            await Task.WhenAny(posting, Time.WaitAsync(rest, stop.Token)).ConfigureAwait(false);
            stop.Cancel(); // the timer is not needed once the request has answered
        }

        return !posting.IsCompleted;
    }

    async Task<IngestResult> GiveUpAsync(Task<IngestResult> posting, CancellationTokenSource timeout, long started)
    {
        timeout.Cancel();
        var result = await posting.ConfigureAwait(false);
        return result.IsSuccess
            ? result
            : IngestResult.NoResponse($"no answer after {Time.GetElapsedTime(started).TotalSeconds:0.#} s while the queue filled to half its limit; given up for the durable buffer");
    }
}
