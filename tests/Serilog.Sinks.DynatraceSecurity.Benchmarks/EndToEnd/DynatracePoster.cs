using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// Posts a request body to the counting receiver's Dynatrace route with the headers this sink sends, over one pooled
/// connection: the transport of the benchmark-only <see cref="FixedBodySink"/>.
/// </summary>
sealed class DynatracePoster : IDisposable
{
    static readonly MediaTypeHeaderValue JsonUtf8 = new("application/json") { CharSet = "utf-8" };

    readonly HttpClient _client = new(new SocketsHttpHandler { ActivityHeadersPropagator = null });
    readonly Uri _uri;

    public DynatracePoster(Uri baseUrl) =>
        _uri = new Uri(baseUrl, CountingReceiver.DynatracePathPrefix + "custom/security.events/" + BenchmarkOptions.Endpoint);

    public async Task PostAsync(byte[] body, int length)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Api-Token", BenchmarkOptions.Token);
        request.Content = new ByteArrayContent(body, 0, length);
        request.Content.Headers.ContentType = JsonUtf8;
        using var response = await _client.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _client.Dispose();
}
