using System;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// The bearer tokens of an OAuth client: one is fetched when first needed, reused until shortly before it expires, and
/// then renewed by a single token request however many callers need it at once (audit mode's logging threads). In
/// batched mode only the delivery loop asks, so renewing never holds up a logging call. A failed token request is
/// not remembered: the next request (after the policy's backoff) tries again.
/// </summary>
internal sealed class OAuthTokenSource
{
    /// <summary>The most a token is renewed before it expires; less for short lifetimes (see <see cref="RenewalMargin"/>).</summary>
    public static readonly TimeSpan MaximumRenewalMargin = TimeSpan.FromSeconds(60);

    readonly Credentials _client;
    readonly TokenEndpointClient _endpoint;
    readonly TimeSpan _requestTimeout;
    readonly TimeProvider _time;
    readonly object _gate = new();
    Credential? _current;
    string? _previous;
    long _renewAt;
    long _generation;
    Task<Credential>? _renewal;

    public OAuthTokenSource(Credentials client, TokenEndpointClient endpoint, TimeSpan requestTimeout, TimeProvider time)
    {
        _client = client;
        _endpoint = endpoint;
        _requestTimeout = requestTimeout;
        _time = time;
    }

    /// <summary>
    /// How long before it expires a token is renewed: a minute, or a fifth of its lifetime when that is shorter, so that
    /// a token is not used up to its last second (clocks differ, requests take time) nor renewed at once when short-lived.
    /// </summary>
    public static TimeSpan RenewalMargin(TimeSpan lifetime) =>
        TimeSpan.FromTicks(Math.Min(MaximumRenewalMargin.Ticks, lifetime.Ticks / 5));

    /// <summary>
    /// The credential for the next request. A failed token request comes back as a <see cref="Credential.Failed"/>
    /// that <c>DeliveryPolicy</c> decides on, never as an exception; <paramref name="cancellation"/> (the request's
    /// timeout) ends the wait with a timeout.
    /// </summary>
    public ValueTask<Credential> GetAsync(CancellationToken cancellation)
    {
        TaskCompletionSource<Credential>? mine = null;
        Task<Credential> renewal;
        lock (_gate)
        {
            if (_current != null && _time.GetTimestamp() < _renewAt)
                return new ValueTask<Credential>(_current);

            if (_renewal == null)
            {
                mine = new TaskCompletionSource<Credential>(TaskCreationOptions.RunContinuationsAsynchronously);
                _renewal = mine.Task;
            }

            renewal = _renewal;
        }

        // Started outside the lock: the request's first steps run synchronously and must not hold it.
        if (mine != null)
            _ = RenewAsync(mine);
        return new ValueTask<Credential>(WaitAsync(renewal, cancellation));
    }

    /// <summary>
    /// Forgets the token of <paramref name="generation"/> after the endpoint refused it (401), so that the next request
    /// gets a new one. Does nothing when that token has been replaced already.
    /// </summary>
    public void Discard(long generation)
    {
        lock (_gate)
        {
            // Kept for redaction; only its use ends. A token renewed meanwhile by another caller stays.
            if (_current?.Generation == generation)
                _renewAt = long.MinValue;
        }
    }

    /// <summary>Replaces the client secret and the tokens issued (the current and the one before) in <paramref name="text"/>.</summary>
    public string Redact(string text)
    {
        string? current, previous;
        lock (_gate)
        {
            current = _current?.Value;
            previous = _previous;
        }

        text = _client.Redact(text);
        if (current != null)
            text = Credentials.Redact(text, current);
        return previous == null ? text : Credentials.Redact(text, previous);
    }

    /// <summary>
    /// The one token request of a renewal, bounded by <c>requestTimeout</c> on its own (not by any one caller's wait) and
    /// ended at once when the sink's HTTP client is disposed.
    /// </summary>
    async Task RenewAsync(TaskCompletionSource<Credential> completion)
    {
        var started = _time.GetTimestamp();
        Credential result;
        try
        {
            using var timeout = _time.Timeout(_requestTimeout);
            var answer = await _endpoint.RequestAsync(Redact, timeout.Token).ConfigureAwait(false);
            result = answer.Failure != null ? Credential.Failed(answer.Failure) : Accept(answer, started);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not expected (the endpoint client reports failures as results), but callers must never wait forever.
            result = Credential.Failed(IngestResult.TokenFailure(0, ResponseReader.Clean(Redact(HttpIngestClient.Flatten(ex)))));
        }

        lock (_gate)
            _renewal = null;
        completion.SetResult(result);
    }

    Credential Accept(TokenAnswer answer, long requestedAt)
    {
        // Counted from when the request was sent, not answered: the token cannot outlive what the endpoint promised.
        var usable = answer.Lifetime - RenewalMargin(answer.Lifetime);
        lock (_gate)
        {
            _previous = _current?.Value;
            _current = new Credential("Bearer", answer.Token!, ++_generation);
            _renewAt = requestedAt + (long)(usable.TotalSeconds * _time.TimestampFrequency);
            return _current;
        }
    }

    static async Task<Credential> WaitAsync(Task<Credential> renewal, CancellationToken cancellation)
    {
        try
        {
#if NET8_0_OR_GREATER
            return await renewal.WaitAsync(cancellation).ConfigureAwait(false);
#else
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellation.Register(() => cancelled.TrySetResult(true)))
            {
                if (await Task.WhenAny(renewal, cancelled.Task).ConfigureAwait(false) != renewal)
                    throw new OperationCanceledException(cancellation);
            }

            return await renewal.ConfigureAwait(false);
#endif
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // This caller's request timed out while the token request went on; a later caller may still get its token.
            return Credential.Failed(IngestResult.TokenFailure(0, null, timedOut: true));
        }
    }
}
