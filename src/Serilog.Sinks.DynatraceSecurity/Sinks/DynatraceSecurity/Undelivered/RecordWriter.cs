using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Undelivered;

/// <summary>
/// Writes undelivered-event records as JSON lines to one file and rolls it: when the file would pass its limit it
/// becomes the predecessor (<c>.1</c>), replacing (and deleting the events of) the one before; SelfLog gets a summary of
/// the deleted events, not a line per roll. Used by one task only.
/// </summary>
internal sealed class RecordWriter : IDisposable
{
    readonly long _fileLimit;
    readonly EventSerializer _serializer;
    readonly Action<string> _warn;
    readonly Summary _deleted;
    readonly PooledBufferWriter _buffer = new();
    readonly Utf8JsonWriter _json;
    FileStream _file;
    long _recordsInFile;
    bool _fileHasEarlierRecords;
    long _recordsInPrevious;

    public RecordWriter(string path, long fileLimit, EventSerializer serializer, Action<string> warn, TimeProvider time)
    {
        Path = path;
        _fileLimit = fileLimit;
        _serializer = serializer;
        _warn = warn;
        _deleted = new Summary(time, count => warn(
            $"{count} older undelivered security event(s) in {path}.1 were deleted: the undelivered-events file reached undeliveredEventsSizeLimitBytes"));
        _file = OpenForAppend(path);
        _json = new Utf8JsonWriter(_buffer, SecurityEventFormatter.WriterOptions);
        // Files left by an earlier run hold an unknown number of events.
        _fileHasEarlierRecords = _file.Length > 0;
        _recordsInPrevious = File.Exists(path + ".1") ? -1 : 0;
    }

    public string Path { get; }

    public void Write(string reason, string message, LogEvent? logEvent, byte[]? formatted)
    {
        _buffer.Clear();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        _json.WriteString("reason", reason);
        _json.WriteString("message", message);
        _json.WritePropertyName("event");
        if (formatted != null)
        {
            _json.WriteRawValue(formatted, skipInputValidation: true);
        }
        else
        {
            // Never sent: written as it would have been (redacted, cut to eventBodyLimitBytes), or null when it cannot be.
            var serialized = _serializer.Serialize(logEvent!, out _, out _);
            if (!serialized.IsEmpty)
                _json.WriteRawValue(serialized, skipInputValidation: true);
            else
                _json.WriteNullValue();
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

    /// <summary>
    /// Another process or logger has the file open: a sharing violation on Windows; on Unix .NET's advisory lock
    /// (<c>flock</c>, per open file, so also another logger of this process) refused with EWOULDBLOCK, which .NET reports
    /// as the raw error number.
    /// </summary>
    public static bool HeldElsewhere(IOException ex) =>
        ex.GetType() == typeof(IOException) &&
        ex.HResult == (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? unchecked((int)0x80070020)
            : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? 11 : 35);

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

    public void Dispose()
    {
        _deleted.Flush();
        _file.Dispose();
        _json.Dispose();
        _buffer.Dispose();
        _serializer.Dispose();
    }
}
