using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Undelivered;

/// <summary>
/// Keeps the events the sink reports as not delivered in a bounded, rolling file of JSON lines, for applications that
/// configure Serilog only from JSON or through <c>AddDynatraceSecurity</c> and so cannot attach <c>FallbackChain</c>.
/// Each line is <c>{"reason":..,"message":..,"event":{...}}</c>: the event exactly as it was sent when it had been
/// formatted (so its <c>event.id</c> matches), otherwise as it would have been, redacted and cut to
/// <c>eventBodyLimitBytes</c> alike (<c>null</c> when even that is impossible). Records are queued, within a count and a
/// byte budget, and written by a background task: reporting never formats or touches the disk on the logging thread.
/// The file and its predecessor (<c>.1</c>) together stay under the size limit (plus one record).
/// </summary>
internal sealed class UndeliveredEventsFile : IDisposable
{
    /// <summary>Records waiting to be written, at most; beyond this (or <see cref="QueueBytes"/>) they are counted, not queued.</summary>
    public const int QueueCapacity = 10_000;

    /// <summary>Estimated bytes of the records waiting to be written, at most.</summary>
    public const long QueueBytes = 64L * 1024 * 1024;

    static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    // Wait mode: TryWrite refuses when full (DropWrite would say true and drop the record unseen).
    readonly Channel<Record> _queue = Channel.CreateBounded<Record>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });
    readonly Action<string> _warn;
    readonly Summary _overflow;
    readonly Summary _closed;
    readonly Task _writer;
    long _queuedBytes;
    volatile string? _closedBecause;

    UndeliveredEventsFile(RecordWriter writer, Action<string> warn, TimeProvider time)
    {
        _warn = warn;
        Path = writer.Path;
        _overflow = new Summary(time, count => warn(NotWritten(count, $"more were waiting than its queue holds ({QueueCapacity} records, {QueueBytes / (1024 * 1024)} MiB)")));
        _closed = new Summary(time, count => warn(NotWritten(count, _closedBecause ?? "the file was closed")));
        _writer = Task.Run(() => WriteLoopAsync(writer));
    }

    public string Path { get; }

    /// <summary>
    /// Opens (or creates) the file; throws an <see cref="ArgumentException"/> that says what to fix when it cannot. A file
    /// that another process or logger is writing is not shared: then this logger keeps none (null), and SelfLog says so.
    /// </summary>
    public static UndeliveredEventsFile? Open(string path, long sizeLimitBytes, EventSerializer serializer, Action<string> warn, TimeProvider time)
    {
        try
        {
            var fullPath = System.IO.Path.GetFullPath(path);
            var directory = System.IO.Path.GetDirectoryName(fullPath);
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
            return new UndeliveredEventsFile(new RecordWriter(fullPath, sizeLimitBytes / 2, serializer, warn, time), warn, time);
        }
        catch (IOException ex) when (RecordWriter.HeldElsewhere(ex))
        {
            // Replicas sharing a volume would otherwise fail to start, one after another: the application comes first.
            serializer.Dispose();
            warn($"The undelivered-events file {path} is being written by another process or logger, so this logger writes no " +
                "such file: the security events it does not deliver are reported to SelfLog and the failure listener only. " +
                "Give each process its own file (for example with the host name in the path).");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException(
                $"The undelivered-events file '{path}' cannot be opened for writing ({ex.Message}). Choose a path the application may " +
                "write to.", nameof(DynatraceSecuritySinkOptions.UndeliveredEventsPath), ex);
        }
    }

    /// <summary>
    /// Queues <paramref name="events"/> for the file, with their bytes as sent when <paramref name="formatted"/> has
    /// them (same order); never blocks, never formats. What does not fit the queue, or comes once the file is closed,
    /// is counted for SelfLog.
    /// </summary>
    public void Add(string reason, string message, IReadOnlyCollection<LogEvent> events, IReadOnlyList<byte[]?>? formatted = null)
    {
        // Events read back from disk come as bytes only; the others with their LogEvent, and their bytes when sent.
        var count = Math.Max(events.Count, formatted?.Count ?? 0);
        var refused = 0;
        using var logEvents = events.GetEnumerator();
        for (var i = 0; i < count; i++)
        {
            var logEvent = logEvents.MoveNext() ? logEvents.Current : null;
            var bytes = formatted != null && i < formatted.Count ? formatted[i] : null;
            if (logEvent == null && bytes == null)
                continue;
            var size = bytes?.Length ?? EventQueue.Estimate(logEvent!);
            if (Interlocked.Add(ref _queuedBytes, size) > QueueBytes || !_queue.Writer.TryWrite(new Record(reason, message, logEvent, bytes, size)))
            {
                Interlocked.Add(ref _queuedBytes, -size);
                refused++;
            }
        }

        (_closedBecause == null ? _overflow : _closed).Add(refused);
    }

    async Task WriteLoopAsync(RecordWriter writer)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var record))
                {
                    Interlocked.Add(ref _queuedBytes, -record.Size);
                    writer.Write(record.Reason, record.Message, record.Event, record.Formatted);
                }
            }
        }
        catch (Exception ex)
        {
            // A full disk or a vanished directory: the events were reported to SelfLog already; say why the file stops,
            // and count the record that failed and those still waiting.
            _closedBecause = "writing to the file had failed";
            _queue.Writer.TryComplete();
            var lost = 1;
            while (reader.TryRead(out var record))
            {
                Interlocked.Add(ref _queuedBytes, -record.Size);
                lost++;
            }

            _warn($"Writing undelivered security events to {Path} failed; no more are written: {ex.Message}");
            _closed.Add(lost);
        }
        finally
        {
            // The writer's buffers and file belong to this task alone, so they are released here, whenever it ends.
            writer.Dispose();
        }
    }

    string NotWritten(long count, string why) => $"{count} undelivered security event(s) were not written to {Path}: {why}";

    public void Dispose()
    {
        _closedBecause ??= "the logger was disposed";
        _queue.Writer.TryComplete();
        if (!_writer.Wait(DrainTimeout))
            _warn($"Writing undelivered security events to {Path} did not finish within {DrainTimeout.TotalSeconds:0} s of disposal; it goes on in the background");
        _overflow.Flush();
        _closed.Flush();
    }

    readonly struct Record
    {
        public Record(string reason, string message, LogEvent? logEvent, byte[]? formatted, long size)
        {
            Reason = reason;
            Message = message;
            Event = logEvent;
            Formatted = formatted;
            Size = size;
        }

        public string Reason { get; }
        public string Message { get; }
        public LogEvent? Event { get; }
        public byte[]? Formatted { get; }
        public long Size { get; }
    }
}
