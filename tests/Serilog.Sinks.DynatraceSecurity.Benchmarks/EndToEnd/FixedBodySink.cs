using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// A floor for any batched HTTP sink that sends this sink's bytes: Serilog's batching engine in front of a sink that
/// does not look at the events at all. For each batch it copies one pre-formatted representative event (this sink's
/// own output for it) once per event into a reused buffer and posts that to the receiver over a pooled connection.
/// What is left above the no-op batched sink is the transport, the receiver and the garbage collector's work on the
/// queued events: what no formatter, however fast, can take away.
/// </summary>
sealed class FixedBodySink : IBatchedLogEventSink, IDisposable
{
    readonly HttpClient _client = new(new SocketsHttpHandler { ActivityHeadersPropagator = null });
    readonly Uri _uri;
    readonly byte[] _event;
    byte[] _body = new byte[64 * 1024];

    public FixedBodySink(Uri baseUrl)
    {
        _uri = new Uri(baseUrl, CountingReceiver.DynatracePathPrefix + "custom/security.events/" + BenchmarkOptions.Endpoint);
        _event = FormatRepresentative();
    }

    public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        var length = 1 + batch.Count * (_event.Length + 1);
        if (_body.Length < length)
            _body = new byte[length];
        _body[0] = (byte)'[';
        var position = 1;
        for (var i = 0; i < batch.Count; i++)
        {
            _event.CopyTo(_body, position);
            position += _event.Length;
            _body[position++] = (byte)',';
        }

        _body[position - 1] = (byte)']';
        using var request = new HttpRequestMessage(HttpMethod.Post, _uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Api-Token", BenchmarkOptions.Token);
        request.Content = new ByteArrayContent(_body, 0, position);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = await _client.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;

    public void Dispose() => _client.Dispose();

    static byte[] FormatRepresentative()
    {
        var settings = SinkSettings.From(BenchmarkOptions.Create("http://127.0.0.1:1"));
        var formatter = new SecurityEventFormatter(settings, new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType));
        var buffer = new PooledBufferWriter();
        using (var json = new Utf8JsonWriter(buffer, SecurityEventFormatter.WriterOptions))
        {
            formatter.Write(json, SampleEvents.Representative(), Guid.NewGuid(), int.MaxValue);
        }

        var bytes = buffer.WrittenSpan.ToArray();
        buffer.Dispose();
        return bytes;
    }
}
