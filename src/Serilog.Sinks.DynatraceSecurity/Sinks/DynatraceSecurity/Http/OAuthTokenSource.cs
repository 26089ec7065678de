using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// The bearer tokens of an OAuth client (client-credentials grant), requested through the sink's own HTTP client: one
/// is fetched when first needed, reused until shortly before it expires, and then renewed by a single token request
/// however many callers need it at once (audit mode's logging threads). A failed token request is not remembered: the
/// next request (after the policy's backoff) tries again.
/// </summary>
internal sealed class OAuthTokenSource
{
    // A token response is a few KB at most (a JWT and a few fields); anything longer is not one.
    const int MaximumTokenResponseBytes = 64 * 1024;
    static readonly TimeSpan MaximumRenewalMargin = TimeSpan.FromSeconds(60);
    static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(1);

    readonly HttpClient _httpClient;
    readonly Credentials _client;
    readonly TimeSpan _requestTimeout;
    readonly TimeProvider _time;
    readonly object _gate = new();
    Credential? _current;
    string? _previous;
    long _renewAt;
    long _generation;
    Task<Credential>? _renewal;

    public OAuthTokenSource(HttpClient httpClient, Credentials client, TimeSpan requestTimeout, TimeProvider time)
    {
        _httpClient = httpClient;
        _client = client;
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
    /// The credential for the next request; a failed token request comes back as a failed credential, never as an
    /// exception, and <paramref name="cancellation"/> (the request's timeout) ends the wait with a timeout.
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
    /// Stops using the token of <paramref name="generation"/> after a 401 (it is kept for redaction); a token another
    /// caller renewed meanwhile stays.
    /// </summary>
    public void Discard(long generation)
    {
        lock (_gate)
        {
            if (_current?.Generation == generation)
                _renewAt = long.MinValue;
        }
    }

    /// <summary>Removes the client secret and the tokens issued (the current and the one before).</summary>
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
    /// ended at once when the sink's HTTP client is disposed. Never throws, and never reports a secret.
    /// </summary>
    async Task RenewAsync(TaskCompletionSource<Credential> completion)
    {
        var started = _time.GetTimestamp();
        using var timeout = _time.Timeout(_requestTimeout);
        Credential result;
        try
        {
            result = await RequestAsync(started, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            result = Failed(0, null, timedOut: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Network errors, and anything a user's handler throws: a failed token request, its text without secrets.
            result = Failed(0, HttpIngestClient.Clean(Redact(HttpIngestClient.Flatten(ex))));
        }

        lock (_gate)
            _renewal = null;
        completion.SetResult(result);
    }

    async Task<Credential> RequestAsync(long started, CancellationToken timeout)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", _client.ClientId!),
            new("client_secret", _client.ClientSecret!),
            new("scope", _client.Scope!),
        };
        if (_client.Resource != null)
            fields.Add(new KeyValuePair<string, string>("resource", _client.Resource));

        using var request = new HttpRequestMessage(HttpMethod.Post, _client.TokenUrl) { Content = new FormUrlEncodedContent(fields) };
        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout)
            .ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var redirectHost = HttpIngestClient.RedirectHost(response, status, _client.TokenUrl!);
        if (redirectHost != null)
            return Failed(status, null, redirectHost: redirectHost);

        if (status is >= 200 and < 300)
        {
            var body = await HttpIngestClient.ReadAsync(response.Content, MaximumTokenResponseBytes, timeout).ConfigureAwait(false);
            return ReadToken(body, out var lifetime) is { } token
                ? Accept(token, lifetime, started)
                : Failed(status, "the answer holds no usable access_token");
        }

        var error = await HttpIngestClient.ReadAsync(response.Content, HttpIngestClient.MaximumBodyBytes, timeout).ConfigureAwait(false);
        var (oauthError, message) = ReadError(error);
        // Secrets out before anything is cut short, so that no part of one is left.
        return Failed(status, message == null ? null : HttpIngestClient.Clean(Redact(message)),
            oauthError == null ? null : HttpIngestClient.Clean(Redact(oauthError)), HttpIngestClient.RetryAfter(response, _time));
    }

    Credential Accept(string token, TimeSpan lifetime, long requestedAt)
    {
        // Counted from when the request was sent, not answered: the token cannot outlive what the endpoint promised.
        var usable = lifetime - RenewalMargin(lifetime);
        lock (_gate)
        {
            _previous = _current?.Value;
            _current = new Credential("Bearer", token, ++_generation);
            _renewAt = requestedAt + (long)(usable.TotalSeconds * _time.TimestampFrequency);
            return _current;
        }
    }

    static Credential Failed(int status, string? message, string? oauthError = null, TimeSpan? retryAfter = null,
        string? redirectHost = null, bool timedOut = false) =>
        Credential.Failed(IngestResult.TokenFailure(status, message, oauthError, retryAfter, redirectHost, timedOut));

    /// <summary>The token and its lifetime from a token response; null when there is no usable <c>access_token</c>.</summary>
    static string? ReadToken(ArraySegment<byte> body, out TimeSpan lifetime)
    {
        lifetime = TimeSpan.Zero;
        try
        {
            using var document = JsonDocument.Parse(body.AsMemory());
            var root = document.RootElement;
            // It goes into a header: a token a header cannot carry would fail every request.
            if (root.ValueKind != JsonValueKind.Object || Text(root, "access_token") is not { } token ||
                Credentials.HeaderProblem(token) != null)
                return null;
            lifetime = ReadLifetime(root);
            return token;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>expires_in</c> (a number, or a number in a string); Dynatrace's 300 seconds when it is missing; at most a day
    /// (identity providers other than Dynatrace SSO issue day-long tokens; a revoked one is replaced after a 401).
    /// </summary>
    static TimeSpan ReadLifetime(JsonElement root)
    {
        if (!root.TryGetProperty("expires_in", out var element))
            return TimeSpan.FromSeconds(300);
        double seconds;
        var valid = element.ValueKind == JsonValueKind.Number
            ? element.TryGetDouble(out seconds)
            : double.TryParse(element.ValueKind == JsonValueKind.String ? element.GetString() : null,
                System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out seconds);
        // A lifetime that cannot be read, or is not positive, is taken as none: the token serves this request only.
        return valid && seconds > 0 ? TimeSpan.FromSeconds(Math.Min(seconds, MaximumLifetime.TotalSeconds)) : TimeSpan.Zero;
    }

    /// <summary>
    /// OAuth's <c>error</c> and <c>error_description</c> (Dynatrace SSO adds <c>message</c>), or the raw text when the
    /// answer is not such an object.
    /// </summary>
    static (string? Error, string? Message) ReadError(ArraySegment<byte> body)
    {
        if (body.Count == 0)
            return (null, null);
        try
        {
            using var document = JsonDocument.Parse(body.AsMemory());
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var error = Text(root, "error");
                var description = Text(root, "error_description") ?? Text(root, "message");
                if (error != null || description != null)
                    return (error, error != null && description != null ? error + ": " + description : error ?? description);
            }
        }
        catch (JsonException)
        {
            // Not JSON (or cut at the size bound): the raw text is reported instead.
        }

        return (null, Encoding.UTF8.GetString(body.Array!, body.Offset, body.Count));
    }

    static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

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
            return Failed(0, null, timedOut: true);
        }
    }
}
