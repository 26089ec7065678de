using System;
using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>
/// A loopback Kestrel server that plays Seq, an OTLP/HTTP collector and Dynatrace at once: it reads each request
/// body, counts its bytes and the events in it, and answers what each sink expects
/// (Seq: <c>201</c> with <c>{"MinimumLevelAccepted":null}</c>; OTLP: <c>200</c> with an empty protobuf message;
/// Dynatrace: <c>202</c>). Nothing is parsed beyond what counting the events needs, and only the OTLP body (protobuf,
/// which has to be walked as a whole) is copied. A gzip body (this sink with <c>compression: Gzip</c>) is decoded as it
/// is read, and its compressed size is what is counted.
/// </summary>
sealed class CountingReceiver : IReceiver
{
    /// <summary>Control routes of the receiver process: counts (GET) and reset (POST); never posted to by a sink.</summary>
    public const string CountsPath = "/_counts";
    public const string ResetPath = "/_reset";

    public const string SeqPath = "/api/events/raw";
    public const string OtlpPath = "/v1/logs";
    public const string DynatracePathPrefix = "/platform/ingest/";

    static readonly byte[] SeqAnswer = "{\"MinimumLevelAccepted\":null}"u8.ToArray();

    readonly WebApplication _app;
    long _requests;
    long _bytes;
    long _events;
    long _unexpected;

    CountingReceiver(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public long Requests => Interlocked.Read(ref _requests);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Events => Interlocked.Read(ref _events);
    public long Unexpected => Interlocked.Read(ref _unexpected);

    public Task<ReceiverCounts> CountsAsync() => Task.FromResult(new ReceiverCounts(Requests, Bytes, Events));

    public Task ResetAsync()
    {
        Reset();
        return Task.CompletedTask;
    }

    void Reset()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _events, 0);
        Interlocked.Exchange(ref _unexpected, 0);
    }

    public static async Task<CountingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new CountingReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUrl = new Uri(app.Urls.Single());
        return receiver;
    }

    async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        long length;
        long events;
        if (path == CountsPath)
        {
            await context.Response.WriteAsync($"{Requests} {Bytes} {Events}");
            return;
        }

        if (path == ResetPath)
        {
            Reset();
            return;
        }

        if (path == SeqPath)
        {
            // Newline-delimited JSON: one event per line.
            (length, events) = await CountAsync(context.Request.BodyReader, Newlines, overlap: 0);
            Record(length, events);
            context.Response.StatusCode = 201;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(SeqAnswer);
            return;
        }

        if (path == OtlpPath)
        {
            // Protobuf needs the whole message to walk it: the only format copied here.
            var (body, bodyLength) = await ReadBodyAsync(context.Request.BodyReader);
            length = bodyLength;
            events = OtlpLogRecords.Count(body.AsSpan(0, bodyLength));
            ArrayPool<byte>.Shared.Return(body);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength = 0;
        }
        else if (path.StartsWith(DynatracePathPrefix, StringComparison.Ordinal))
        {
            // A JSON array of flat objects: every event object of the sink opens with its timestamp key.
            if (context.Request.Headers.ContentEncoding == "gzip")
            {
                // Decoded as it streams in (what an ingest endpoint taking gzip does); the wire bytes are what counts.
                await using var gzip = new GZipStream(context.Request.Body, CompressionMode.Decompress);
                (_, events) = await CountAsync(PipeReader.Create(gzip), DynatraceEventStarts, DynatraceEventPrefix.Length - 1);
                length = context.Request.ContentLength ?? -1;
            }
            else
            {
                (length, events) = await CountAsync(context.Request.BodyReader, DynatraceEventStarts, DynatraceEventPrefix.Length - 1);
            }

            context.Response.StatusCode = 202;
        }
        else
        {
            Interlocked.Increment(ref _unexpected);
            context.Response.StatusCode = 404;
            return;
        }

        // Counted before the answer goes out, so a sink that has its answer has been counted.
        Record(length, events);
    }

    void Record(long length, long events)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, length);
        Interlocked.Add(ref _events, events);
    }

    static readonly byte[] DynatraceEventPrefix = "{\"timestamp\":"u8.ToArray();

    /// <summary>Reads the body where it lies (no copy), counting its bytes and its events.</summary>
    static async Task<(long Length, long Events)> CountAsync(PipeReader reader, Func<ReadOnlySequence<byte>, long> countEvents, int overlap)
    {
        long length = 0;
        long events = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            // Count what is there, but leave the last (pattern length - 1) bytes for the next read unless the body is
            // complete: a pattern cut off here is counted next time, and none is counted twice.
            events += countEvents(buffer);
            var keep = result.IsCompleted ? 0 : Math.Min(buffer.Length, overlap);
            var consumed = buffer.Slice(0, buffer.Length - keep);
            length += consumed.Length;
            reader.AdvanceTo(consumed.End, buffer.End);
            if (result.IsCompleted)
                return (length, events);
        }
    }

    static long Newlines(ReadOnlySequence<byte> body)
    {
        long count = 0;
        foreach (var segment in body)
            count += segment.Span.Count((byte)'\n');
        return count;
    }

    /// <summary>How often the event prefix occurs, also across the seams between segments.</summary>
    static long DynatraceEventStarts(ReadOnlySequence<byte> body)
    {
        var prefix = DynatraceEventPrefix.AsSpan();
        if (body.IsSingleSegment)
            return body.FirstSpan.Count(prefix);

        long count = 0;
        Span<byte> seam = stackalloc byte[2 * (prefix.Length - 1)];
        var tail = 0;
        foreach (var memory in body)
        {
            var segment = memory.Span;
            if (segment.Length < prefix.Length - 1)
            {
                // Too short to reason about seams: count this body from a copy instead.
                return body.ToArray().AsSpan().Count(prefix);
            }

            count += segment.Count(prefix);
            if (tail > 0)
            {
                // An occurrence across the seam lies within the last (n-1) bytes before it and the first (n-1) after.
                segment.Slice(0, prefix.Length - 1).CopyTo(seam.Slice(tail));
                count += seam.Slice(0, tail + prefix.Length - 1).Count(prefix);
            }

            segment.Slice(segment.Length - (prefix.Length - 1)).CopyTo(seam);
            tail = prefix.Length - 1;
        }

        return count;
    }

    static async Task<(byte[] Body, int Length)> ReadBodyAsync(PipeReader reader)
    {
        var body = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var length = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                if (length + segment.Length > body.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length * 2, length + segment.Length));
                    body.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(body);
                    body = larger;
                }

                segment.Span.CopyTo(body.AsSpan(length));
                length += segment.Length;
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
                return (body, length);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
