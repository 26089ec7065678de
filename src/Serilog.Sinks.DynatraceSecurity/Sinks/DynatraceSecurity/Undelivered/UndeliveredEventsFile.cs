using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Undelivered;

/// <summary>
/// The undelivered-events file (docs/delivery.md): the events the sink reports as not delivered, as JSON lines
/// <c>{"reason":..,"message":..,"event":{...}}</c>, the event as sent (same <c>event.id</c>) or as it would have been.
/// Records are queued, within a count and a byte budget, and written by a background task: reporting never formats or
/// touches the disk on the logging thread. At half the size limit the file becomes its predecessor (<c>.1</c>),
/// replacing (and deleting the events of) the one before; SelfLog summarises the deleted events.
/// </summary>
internal sealed class UndeliveredEventsFile : IDisposable
{
    const int QueueCapacity = 10_000;
    const long QueueBytes = 64L * 1024 * 1024;
    static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    // Wait mode: TryWrite refuses when full (DropWrite would say true and drop the record unseen).
    readonly Channel<(string Reason, string Message, LogEvent? Event, byte[]? Formatted, long Size)> _queue =
        Channel.CreateBounded<(string, string, LogEvent?, byte[]?, long)>(new BoundedChannelOptions(QueueCapacity)
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

    // The write task's alone: the file, the record being written, and how many records the file and its predecessor hold.
    readonly long _fileLimit;
    readonly EventSerializer _serializer;
    readonly Summary _deleted;
    readonly PooledBufferWriter _record = new();
    readonly Utf8JsonWriter _json;
    FileStream _file;
    long _recordsInFile;
    bool _fileHasEarlierRecords;
    long _recordsInPrevious;

    UndeliveredEventsFile(string path, long fileLimit, EventSerializer serializer, Action<string> warn, TimeProvider time)
    {
        _file = OpenForAppend(path);
        Path = path;
        _fileLimit = fileLimit;
        _serializer = serializer;
        _warn = warn;
        _json = new Utf8JsonWriter(_record, SecurityEventFormatter.WriterOptions);
        // Files left by an earlier run hold an unknown number of events.
        _fileHasEarlierRecords = _file.Length > 0;
        _recordsInPrevious = File.Exists(path + ".1") ? -1 : 0;
        _deleted = new Summary(time, count => warn(
            $"{count} older undelivered security event(s) in {path}.1 were deleted: the undelivered-events file reached undeliveredEventsSizeLimitBytes"));
        _overflow = new Summary(time, count => warn(NotWritten(count, $"more were waiting than its queue holds ({QueueCapacity} records, {QueueBytes / (1024 * 1024)} MiB)")));
        _closed = new Summary(time, count => warn(NotWritten(count, _closedBecause ?? "the file was closed")));
        _writer = Task.Run(WriteLoopAsync);
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
            return new UndeliveredEventsFile(fullPath, sizeLimitBytes / 2, serializer, warn, time);
        }
        catch (IOException ex) when (HeldElsewhere(ex))
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
    /// Queues <paramref name="events"/>, with their bytes as sent when <paramref name="formatted"/> has them; never
    /// blocks, never formats. What does not fit the queue, or comes once the file is closed, is counted for SelfLog.
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
            if (Interlocked.Add(ref _queuedBytes, size) > QueueBytes || !_queue.Writer.TryWrite((reason, message, logEvent, bytes, size)))
            {
                Interlocked.Add(ref _queuedBytes, -size);
                refused++;
            }
        }

        (_closedBecause == null ? _overflow : _closed).Add(refused);
    }

    async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var record))
                {
                    Interlocked.Add(ref _queuedBytes, -record.Size);
                    Write(record.Reason, record.Message, record.Event, record.Formatted);
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
            // The file and the buffers belong to this task alone, so they are released here, whenever it ends.
            _deleted.Flush();
            _file.Dispose();
            _json.Dispose();
            _record.Dispose();
            _serializer.Dispose();
        }
    }

    void Write(string reason, string message, LogEvent? logEvent, byte[]? formatted)
    {
        _record.Clear();
        _json.Reset(_record);
        _json.WriteStartObject();
        _json.WriteString("reason", reason);
        _json.WriteString("message", message);
        _json.WritePropertyName("event");
        // One never sent is written as it would have been (redacted, cut to eventBodyLimitBytes), or null when it cannot be.
        ReadOnlySpan<byte> json = formatted ?? _serializer.Serialize(logEvent!, out _, out _);
        if (json.IsEmpty)
            _json.WriteNullValue();
        else
            _json.WriteRawValue(json, skipInputValidation: true);
        _json.WriteEndObject();
        _json.Flush();
        _record.Write((byte)'\n');

        if (_file.Length > 0 && _file.Length + _record.WrittenCount > _fileLimit)
            Roll();
        var bytes = _record.WrittenSegment;
        _file.Write(bytes.Array!, bytes.Offset, bytes.Count);
        _recordsInFile++;
    }

    void Roll()
    {
        _file.Dispose();
        var previous = Path + ".1";
        if (File.Exists(previous))
        {
            File.Delete(previous);
            if (_recordsInPrevious < 0)
                _warn($"The undelivered-events file {Path} reached undeliveredEventsSizeLimitBytes: the older undelivered security event(s) an earlier run left in {previous} were deleted");
            else
                _deleted.Add(_recordsInPrevious);
        }

        File.Move(Path, previous);
        _file = OpenForAppend(Path);
        _recordsInPrevious = _fileHasEarlierRecords ? -1 : _recordsInFile;
        _recordsInFile = 0;
        _fileHasEarlierRecords = false;
    }

    /// <summary>
    /// Another process or logger has the file open: a sharing violation on Windows; on Unix .NET's advisory lock
    /// (<c>flock</c>, per open file, so also another logger of this process) refused with EWOULDBLOCK, which .NET reports
    /// as the raw error number.
    /// </summary>
    static bool HeldElsewhere(IOException ex) =>
        ex.GetType() == typeof(IOException) &&
        ex.HResult == (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? unchecked((int)0x80070020)
            : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? 11 : 35);

    static FileStream OpenForAppend(string path)
    {
        // One writer per file: on Windows sharing only reads refuses a second writer; on Unix .NET maps FileShare.None
        // to an exclusive advisory lock, which refuses a second sink (in any process) and leaves readers (tail, cat) alone.
        // Unbuffered: each record is one write, so a failing write loses that record only, and it is counted.
        var share = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? FileShare.Read : FileShare.None;
#if NET8_0_OR_GREATER
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = share, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // the file holds event payloads
        return new FileStream(path, options);
#else
        return new FileStream(path, FileMode.Append, FileAccess.Write, share, bufferSize: 1);
#endif
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
}
