using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Configuration;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// Posts request bodies over HTTP with the Dynatrace headers, a per-request timeout and a bounded read of error
/// responses. Everything it reports has the access token removed and never includes the request body.
/// With <see cref="DynatraceSecurityCompression.Gzip"/> it compresses each body, and takes a 415 answer, or a 400 before
/// any compressed body has been accepted, as possibly meaning "no compression here": it sends the same body again
/// uncompressed, and when that is accepted it stops compressing for good and says so.
/// </summary>
internal sealed class HttpIngestClient : IIngestClient
{
    static readonly MediaTypeHeaderValue JsonUtf8 = new("application/json") { CharSet = "utf-8" };

    readonly HttpClient _httpClient;
    readonly IngestTarget _target;
    readonly AccessToken _token;
    readonly TimeSpan _requestTimeout;
    readonly Action<string> _warn;
    int _compress; // 1 while compressing; set to 0 once, by the first request that shows the endpoint refuses gzip
    volatile bool _compressionAccepted;

    public HttpIngestClient(IngestTarget target, AccessToken token, TimeSpan requestTimeout, HttpMessageHandler? messageHandler,
        DynatraceSecurityCompression compression = DynatraceSecurityCompression.None, Action<string>? warn = null)
    {
        _compress = compression == DynatraceSecurityCompression.Gzip ? 1 : 0;
        _warn = warn ?? (_ => { });
        _target = target;
        _token = token;
        _requestTimeout = requestTimeout;
        _httpClient = new HttpClient(messageHandler ?? CreateDefaultHandler(), disposeHandler: true)
        {
            // The per-request timeout below governs; HttpClient's own would throw a different exception type.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _httpClient.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _httpClient.DefaultRequestHeaders.UserAgent.Add(UserAgent.Header);
    }

    public async Task<IngestResult> PostAsync(ArraySegment<byte> body)
    {
        // One requestTimeout for the whole call, the uncompressed resend included: shutdown stays bounded by it.
        using var timeout = new CancellationTokenSource(_requestTimeout);
        if (Volatile.Read(ref _compress) == 0)
            return await SendAsync(body, compressed: false, timeout).ConfigureAwait(false);

        IngestResult result;
        using (var gzip = GzipBody.Compress(body))
        {
            // Not compressible (or not compressed): the plain bytes are the cheaper request.
            if (gzip == null || gzip.Bytes.Count >= body.Count)
                return await SendAsync(body, compressed: false, timeout).ConfigureAwait(false);
            result = await SendAsync(gzip.Bytes, compressed: true, timeout).ConfigureAwait(false);
        }

        if (result.IsSuccess)
        {
            _compressionAccepted = true;
            return result;
        }

        if (result.StatusCode == 415 || (result.StatusCode == 400 && !_compressionAccepted))
        {
            // The endpoint may not take compressed bodies (Dynatrace does not document it): try the same bytes plain.
            // Only a 2xx to a compressed body shows gzip works: two 400s may have different causes (an endpoint that
            // refuses gzip with a generic message, and a bad event in this batch), so they settle nothing.
            var plain = await SendAsync(body, compressed: false, timeout).ConfigureAwait(false);
            if (plain.IsSuccess && Interlocked.Exchange(ref _compress, 0) == 1)
            {
                _warn($"POST {_target.Path} refused a gzip-compressed request ({result.StatusCode}) and accepted it uncompressed: " +
                    "compression is now off for this sink; remove the compression setting from its configuration");
            }

            return plain;
        }

        return result;
    }

    async Task<IngestResult> SendAsync(ArraySegment<byte> body, bool compressed, CancellationTokenSource timeout)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target.Uri);
        request.Headers.Authorization = new AuthenticationHeaderValue(_token.Scheme, _token.Value);
        request.Content = new ByteArrayContent(body.Array!, body.Offset, body.Count);
        request.Content.Headers.ContentType = JsonUtf8;
        if (compressed)
            request.Content.Headers.ContentEncoding.Add("gzip");

        try
        {
            using var response = await _httpClient
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);

            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
                return IngestResult.Success(status);

            var message = await ReadErrorMessageAsync(response, timeout.Token).ConfigureAwait(false);
            var retryAfter = ReadRetryAfter(response);
            var description = $"POST {_target.Path} answered {status} {response.ReasonPhrase}" + (message == null ? "" : ": " + message);
            return IngestResult.Failure(status, message, retryAfter, new DynatraceIngestException(description, status));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var description = $"POST {_target.Path} got no response within {_requestTimeout.TotalSeconds:0.###} s";
            return IngestResult.NoResponse(description, new DynatraceIngestException(description, 0));
        }
        catch (Exception ex) when (ex is HttpRequestException or System.IO.IOException or OperationCanceledException)
        {
            var description = $"POST {_target.Path} failed: {_token.Redact(Flatten(ex))}";
            return IngestResult.NoResponse(description, new DynatraceIngestException(description, 0));
        }
    }

    static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    async Task<string?> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var message = await ErrorBodyReader.ReadMessageAsync(response.Content, cancellationToken).ConfigureAwait(false);
            return message == null ? null : _token.Redact(message);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.IO.IOException or OperationCanceledException)
        {
            return null; // the status alone still says what happened
        }
    }

    // "An error occurred while sending the request." alone does not say what went wrong; the inner messages do.
    static string Flatten(Exception exception)
    {
        var text = exception.Message;
        for (var inner = exception.InnerException; inner != null; inner = inner.InnerException)
            text += " -> " + inner.Message;
        return text;
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

    public void Dispose() => _httpClient.Dispose();
}
