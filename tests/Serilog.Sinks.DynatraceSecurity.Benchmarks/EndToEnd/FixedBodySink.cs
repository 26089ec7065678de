using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
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
    readonly DynatracePoster _poster;
    readonly byte[] _event;
    byte[] _body = new byte[64 * 1024];

    public FixedBodySink(Uri baseUrl)
    {
        _poster = new DynatracePoster(baseUrl);
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
        await _poster.PostAsync(_body, position).ConfigureAwait(false);
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;

    public void Dispose() => _poster.Dispose();

    static byte[] FormatRepresentative()
    {
        var formatter = BenchmarkOptions.CreateFormatter();
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
