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

namespace Serilog.Sinks.DynatraceSecurity.Undelivered;

/// <summary>
/// Keeps the events the sink reports as not delivered in a bounded, rolling file of JSON lines, for applications that
/// configure Serilog only from JSON or through <c>AddDynatraceSecurity</c> and so cannot attach <c>FallbackChain</c>.
/// Each line is <c>{"reason":..,"message":..,"event":{...}}</c>, the event in the shape Dynatrace would have received
/// (redacted like it). Events are queued and written by a background task: reporting never formats or touches the disk
/// on the logging thread. The file and its predecessor (<c>.1</c>) together stay under the size limit; when the file
/// reaches half of it, the predecessor (the oldest events) is deleted, and SelfLog says how many events went with it.
/// </summary>
internal sealed class UndeliveredEventsFile : IDisposable
{
    /// <summary>Records waiting to be written; beyond this they are counted, not queued (memory stays bounded).</summary>
    public const int QueueCapacity = 10_000;

    static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    readonly string _path;
    readonly long _fileLimit;
    readonly SecurityEventFormatter _formatter;
    readonly Action<string> _warn;
    readonly Channel<Record> _queue = Channel.CreateBounded<Record>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    readonly EventIdGenerator _eventIds = new();
    readonly PooledBufferWriter _buffer = new();
    readonly Utf8JsonWriter _json;
    readonly Task _writer;
    FileStream _file;
    long _recordsInFile;
    bool _fileHasEarlierRecords;
    long _recordsInPrevious;
    long _notQueued;

    UndeliveredEventsFile(string path, long sizeLimitBytes, FileStream file, SecurityEventFormatter formatter, Action<string> warn)
    {
        _path = path;
        _fileLimit = sizeLimitBytes / 2;
        _file = file;
        _formatter = formatter;
        _warn = warn;
        _json = new Utf8JsonWriter(_buffer, SecurityEventFormatter.WriterOptions);
        // Files left by an earlier run hold an unknown number of events.
        _fileHasEarlierRecords = file.Length > 0;
        _recordsInPrevious = File.Exists(path + ".1") ? -1 : 0;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Opens (or creates) the file; throws an <see cref="ArgumentException"/> that says what to fix when it cannot.</summary>
    public static UndeliveredEventsFile Open(string path, long sizeLimitBytes, SecurityEventFormatter formatter, Action<string> warn)
    {
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(fullPath);
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
            return new UndeliveredEventsFile(fullPath, sizeLimitBytes, OpenForAppend(fullPath), formatter, warn);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException(
                $"The undelivered-events file '{path}' cannot be opened for writing ({ex.Message}). Choose a path the application may " +
                "write to, and one file per logger (a file that another process or logger is writing is refused).",
                nameof(DynatraceSecuritySinkOptions.UndeliveredEventsPath), ex);
        }
    }

    /// <summary>Queues <paramref name="events"/> for the file; never blocks, never formats.</summary>
    public void Add(string reason, string message, IReadOnlyCollection<LogEvent> events)
    {
        foreach (var logEvent in events)
        {
            if (!_queue.Writer.TryWrite(new Record(reason, message, logEvent)))
                Interlocked.Increment(ref _notQueued);
        }
    }

    async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var record))
                    Write(record);
                await _file.FlushAsync().ConfigureAwait(false);
                var notQueued = Interlocked.Exchange(ref _notQueued, 0);
                if (notQueued > 0)
                    _warn($"{notQueued} undelivered security event(s) were not written to {_path}: more than {QueueCapacity} were waiting");
            }
        }
        catch (Exception ex)
        {
            // A full disk or a vanished directory: the events were reported to SelfLog already; say why the file stops.
            _warn($"Writing undelivered security events to {_path} failed; no more are written: {ex.Message}");
        }
    }

    void Write(Record record)
    {
        _buffer.Clear();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString("reason", record.Reason);
        _json.WriteString("message", record.Message);
        _json.WritePropertyName("event");
        try
        {
            _formatter.Write(_json, record.Event, _eventIds.Next());
        }
        catch (Exception)
        {
            // The event cannot be written as JSON (that may be why it was not delivered): keep the reason at least.
            _buffer.Clear();
            _json.Reset(_buffer);
            _json.WriteStartObject();
            _json.WriteString("reason", record.Reason);
            _json.WriteString("message", record.Message);
            _json.WriteNull("event");
        }

        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write((byte)'\n');

        if (_file.Length > 0 && _file.Length + _buffer.WrittenCount > _fileLimit)
            Roll();
        var bytes = _buffer.WrittenSegment;
        _file.Write(bytes.Array!, bytes.Offset, bytes.Count);
        _recordsInFile++;
    }

    /// <summary>The current file becomes <c>.1</c>, replacing (and deleting the events of) the one before.</summary>
    void Roll()
    {
        _file.Dispose();
        var previous = _path + ".1";
        if (File.Exists(previous))
        {
            File.Delete(previous);
            var count = _recordsInPrevious < 0 ? "the" : _recordsInPrevious.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _warn($"The undelivered-events file {_path} reached undeliveredEventsSizeLimitBytes: {count} older undelivered security event(s) in {previous} were deleted");
        }

        File.Move(_path, previous);
        _file = OpenForAppend(_path);
        _recordsInPrevious = _fileHasEarlierRecords ? -1 : _recordsInFile;
        _recordsInFile = 0;
        _fileHasEarlierRecords = false;
    }

    static FileStream OpenForAppend(string path)
    {
        // One writer per file: on Windows sharing only reads refuses a second writer; on Unix .NET maps FileShare.None
        // to an exclusive advisory lock, which refuses a second sink (in any process) and leaves readers (tail, cat) alone.
        var share = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? FileShare.Read : FileShare.None;
#if NET8_0_OR_GREATER
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = share };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // the file holds event payloads
        return new FileStream(path, options);
#else
        return new FileStream(path, FileMode.Append, FileAccess.Write, share);
#endif
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (!_writer.Wait(DrainTimeout))
            _warn($"Writing undelivered security events to {_path} did not finish within {DrainTimeout.TotalSeconds:0} s of disposal");
        _file.Dispose();
        _json.Dispose();
        _buffer.Dispose();
    }

    readonly struct Record
    {
        public Record(string reason, string message, LogEvent logEvent)
        {
            Reason = reason;
            Message = message;
            Event = logEvent;
        }

        public string Reason { get; }
        public string Message { get; }
        public LogEvent Event { get; }
    }
}
