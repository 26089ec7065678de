using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Configuration;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// Posts request bodies with the Dynatrace headers, the configured token or the OAuth client's current one, and a
/// bounded read of error responses. Redirects are never followed: a 3xx answer, or a response a handler fetched from
/// another address anyway, comes back with <see cref="IngestResult.RedirectHost"/>, so the token and the events go only
/// where the user configured. What it returns has every secret removed and never the request body.
/// </summary>
internal sealed class HttpIngestClient : IDisposable
{
    public const int MaximumBodyBytes = 4096;
    const int MaximumMessageLength = 512;

    public static readonly string Version = ReadVersion();

    static readonly MediaTypeHeaderValue JsonUtf8 = new("application/json") { CharSet = "utf-8" };

    readonly HttpClient _httpClient;
    readonly Uri _target;
    readonly Credential? _token;
    readonly OAuthTokenSource? _oauth;
    readonly TimeProvider _time;

    public HttpIngestClient(SinkSettings settings, TimeProvider time)
    {
        _target = settings.Target;
        _time = time;
        _httpClient = new HttpClient(WithoutRedirects(settings.MessageHandler ?? CreateDefaultHandler()), disposeHandler: true)
        {
            // The caller's cancellation token is the timeout; HttpClient's own would throw a different exception type.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _httpClient.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _httpClient.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Serilog.Sinks.DynatraceSecurity", Version));
        // Token requests go through the same client, with the user's handler and without redirects or tracing.
        var credentials = settings.Credentials;
        if (credentials.IsOAuth)
            _oauth = new OAuthTokenSource(_httpClient, credentials, settings.RequestTimeout, time);
        else
            _token = new Credential(credentials.TokenScheme!, credentials.Token!, generation: null);
    }

    /// <summary>
    /// Sends <paramref name="body"/>, gzip-compressed already when <paramref name="gzip"/>. Never throws for HTTP, network
    /// or timeout failures, nor for a failed token request, which counts against the same <paramref name="timeout"/>.
    /// </summary>
    public async Task<IngestResult> PostAsync(ArraySegment<byte> body, bool gzip, CancellationToken timeout)
    {
        var credential = _token ?? await _oauth!.GetAsync(timeout).ConfigureAwait(false);
        var result = credential.Failure ?? await PostOnceAsync(body, gzip, credential, timeout).ConfigureAwait(false);
        if (result.StatusCode != 401 || credential.Generation is not { } generation)
            return result;

        // An OAuth token may have been revoked or have expired early: discarded (only that one, by its generation), and
        // the request sent once more at once with a new one. A second 401 is an answer like any other.
        _oauth!.Discard(generation);
        credential = await _oauth.GetAsync(timeout).ConfigureAwait(false);
        return (credential.Failure ?? await PostOnceAsync(body, gzip, credential, timeout).ConfigureAwait(false)).AfterReauthentication();
    }

    async Task<IngestResult> PostOnceAsync(ArraySegment<byte> body, bool gzip, Credential credential, CancellationToken timeout)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target);
        request.Headers.Authorization = new AuthenticationHeaderValue(credential.Scheme, credential.Value);
        request.Content = new ByteArrayContent(body.Array!, body.Offset, body.Count);
        request.Content.Headers.ContentType = JsonUtf8;
        if (gzip)
            request.Content.Headers.ContentEncoding.Add("gzip");

        try
        {
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout)
                .ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var redirectHost = RedirectHost(response, status, _target);
            if (status is >= 200 and < 300 && redirectHost == null)
                return IngestResult.Answered(status);

            var message = status >= 400 ? await ReadErrorMessageAsync(response, timeout).ConfigureAwait(false) : null;
            return IngestResult.Answered(status, message, RetryAfter(response, _time), redirectHost);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return IngestResult.Timeout();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Network errors, and anything a user's handler throws (it may have been disposed, or reject the request):
            // a failed attempt, never an exception into the delivery loop; its text without the token.
            return IngestResult.NoResponse(Redact(Flatten(ex)));
        }
    }

    /// <summary>
    /// Dynatrace's message (the <c>{"error":{"code":..,"message":".."}}</c> envelope, else the raw text), secrets removed
    /// before it is cut short; null when there is none or it cannot be read (the status alone still says what happened).
    /// </summary>
    async Task<string?> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await ReadAsync(response.Content, MaximumBodyBytes, cancellationToken).ConfigureAwait(false);
            if (body.Count == 0)
                return null;
            return Clean(Redact(EnvelopeMessage(body.AsSpan()) ?? Encoding.UTF8.GetString(body.Array!, body.Offset, body.Count)));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    static string? EnvelopeMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            var depth = 0;
            var inError = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        depth++;
                        break;
                    case JsonTokenType.EndObject:
                        depth--;
                        if (depth < 2) inError = false;
                        break;
                    case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("error"):
                        inError = true;
                        break;
                    case JsonTokenType.PropertyName when depth == 2 && inError && reader.ValueTextEquals("message"):
                        if (reader.Read() && reader.TokenType == JsonTokenType.String)
                            return reader.GetString();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not an envelope (or cut at the size bound): the raw text is used instead.
        }

        return null;
    }

    /// <summary>At most <paramref name="maximumBytes"/> of a response body: what a peer sends is never read unbounded.</summary>
    public static async Task<ArraySegment<byte>> ReadAsync(HttpContent? content, int maximumBytes, CancellationToken cancellationToken)
    {
        if (content == null)
            return new ArraySegment<byte>(Array.Empty<byte>());

        var buffer = new byte[maximumBytes];
        var length = 0;
        using (var stream = await content.ReadAsStreamAsync().ConfigureAwait(false))
        {
            int read;
            while (length < buffer.Length &&
                   (read = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false)) > 0)
                length += read;
        }

        return new ArraySegment<byte>(buffer, 0, length);
    }

    /// <summary>Bounds the length and removes control characters so one message stays one line.</summary>
    public static string Clean(string message)
    {
        var cut = message.Length > MaximumMessageLength ? message.Substring(0, MaximumMessageLength) + "…" : message;
        return new string(cut.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
    }

    /// <summary>The host a 3xx answer points to, or a handler that could not be stopped followed a redirect to.</summary>
    public static string? RedirectHost(HttpResponseMessage response, int status, Uri requested)
    {
        if (status is >= 300 and < 400)
        {
            var location = response.Headers.Location;
            if (location == null)
                return "(no Location header)";
            return (location.IsAbsoluteUri ? location : new Uri(requested, location)).Authority;
        }

        // Only the host matters: a handler may rewrite the path or add a query, but not send the request elsewhere.
        var answeredBy = response.RequestMessage?.RequestUri;
        return answeredBy != null &&
               (answeredBy.Scheme != requested.Scheme || !string.Equals(answeredBy.Authority, requested.Authority, StringComparison.OrdinalIgnoreCase))
            ? answeredBy.Authority
            : null;
    }

    /// <summary><c>Retry-After</c>, in seconds or as an HTTP date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? header?.Date - time.GetUtcNow();
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    string Redact(string text) => _oauth?.Redact(text) ?? Credentials.Redact(text, _token!.Value);

    /// <summary>An exception's message with its inner ones: "An error occurred while sending the request." says little.</summary>
    public static string Flatten(Exception exception)
    {
        var text = exception.Message;
        for (var inner = exception.InnerException; inner != null; inner = inner.InnerException)
            text += " -> " + inner.Message;
        return text;
    }

    /// <summary>
    /// Switches automatic redirects off on the handler that finally sends (behind any <see cref="DelegatingHandler"/>s).
    /// A handler already used, or of another kind, keeps its setting; <see cref="RedirectHost"/> still refuses the answer.
    /// </summary>
    static HttpMessageHandler WithoutRedirects(HttpMessageHandler handler)
    {
        var inner = handler;
        while (inner is DelegatingHandler { InnerHandler: { } next })
            inner = next;
        try
        {
            switch (inner)
            {
                case HttpClientHandler clientHandler:
                    clientHandler.AllowAutoRedirect = false;
                    break;
#if NET8_0_OR_GREATER
                case SocketsHttpHandler socketsHandler:
                    socketsHandler.AllowAutoRedirect = false;
                    break;
#endif
            }
        }
        catch (InvalidOperationException)
        {
            // The handler has started sending requests and its properties are frozen.
        }

        return handler;
    }

    static HttpMessageHandler CreateDefaultHandler()
    {
#if NET8_0_OR_GREATER
        return new SocketsHttpHandler
        {
            // Re-resolve DNS now and then: a long-lived process must follow Dynatrace's endpoint changes.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // The sink's own requests are not traced and carry no trace headers (no feedback loops into the
            // application's telemetry): without a propagator, the handler adds no diagnostics stage at all.
            ActivityHeadersPropagator = null,
        };
#else
        return new HttpClientHandler();
#endif
    }

    static string ReadVersion()
    {
        var assembly = typeof(HttpIngestClient).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // Without the build metadata (+commit).
        return string.IsNullOrEmpty(informational) ? assembly.GetName().Version?.ToString(3) ?? "0.0.0" : informational!.Split('+')[0];
    }

    public void Dispose() => _httpClient.Dispose();
}
