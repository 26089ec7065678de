using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// An experiment, not a design of the sink: this sink's formatter run on the logging thread (each event formatted
/// into a pooled array as it is logged), then Serilog's batching engine, whose batches only gather the formatted
/// bytes into a request and post it. It measures what moving formatting out of the delivery loop would change end to
/// end. The formatter is not thread-safe: the harness logs from one thread, and a lock guards it anyway.
/// </summary>
sealed class FormatOnEmitSink : ILogEventSink, IDisposable
{
    readonly object _formatGate = new();
    readonly SecurityEventFormatter _formatter;
    readonly PooledBufferWriter _event = new();
    readonly Utf8JsonWriter _json;
    readonly Formatting.EventIdGenerator _eventIds = new();
    readonly ConcurrentQueue<(byte[] Bytes, int Length)> _formatted = new();
    readonly Sender _sender;
    readonly ILogEventSink _engine;

    public FormatOnEmitSink(Uri baseUrl, BatchingOptions options)
    {
        _formatter = BenchmarkOptions.CreateFormatter();
        _json = new Utf8JsonWriter(_event, SecurityEventFormatter.WriterOptions);
        _sender = new Sender(baseUrl, _formatted);
        _engine = LoggerSinkConfiguration.CreateSink(wt => wt.Sink(_sender, options));
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_formatGate)
        {
            _event.Clear();
            _json.Reset(_event);
            _formatter.Write(_json, logEvent, _eventIds.Next());
            _json.Flush();
            var bytes = ArrayPool<byte>.Shared.Rent(_event.WrittenCount);
            _event.WrittenSpan.CopyTo(bytes);
            _formatted.Enqueue((bytes, _event.WrittenCount));
        }

        _engine.Emit(logEvent);
    }

    public void Dispose()
    {
        (_engine as IDisposable)?.Dispose();
        _sender.Dispose();
    }

    sealed class Sender : IBatchedLogEventSink, IDisposable
    {
        readonly DynatracePoster _poster;
        readonly ConcurrentQueue<(byte[] Bytes, int Length)> _formatted;
        byte[] _body = new byte[64 * 1024];

        public Sender(Uri baseUrl, ConcurrentQueue<(byte[] Bytes, int Length)> formatted)
        {
            _poster = new DynatracePoster(baseUrl);
            _formatted = formatted;
        }

        public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
        {
            var position = 0;
            Append((byte)'[', ref position, 1);
            for (var i = 0; i < batch.Count; i++)
            {
                _formatted.TryDequeue(out var formatted);
                if (i > 0)
                    Append((byte)',', ref position, formatted.Length + 1);
                else if (position + formatted.Length > _body.Length)
                    Array.Resize(ref _body, Math.Max(_body.Length * 2, position + formatted.Length + 1));
                formatted.Bytes.AsSpan(0, formatted.Length).CopyTo(_body.AsSpan(position));
                position += formatted.Length;
                ArrayPool<byte>.Shared.Return(formatted.Bytes);
            }

            Append((byte)']', ref position, 1);
            await _poster.PostAsync(_body, position).ConfigureAwait(false);
        }

        void Append(byte value, ref int position, int reserve)
        {
            if (position + reserve > _body.Length)
                Array.Resize(ref _body, Math.Max(_body.Length * 2, position + reserve));
            _body[position++] = value;
        }

        public Task OnEmptyBatchAsync() => Task.CompletedTask;

        public void Dispose() => _poster.Dispose();
    }
}
