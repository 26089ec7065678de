using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Undelivered;

/// <summary>
/// Writes undelivered-event records as JSON lines to one file and rolls it: when the file would pass its limit it
/// becomes the predecessor (<c>.1</c>), replacing (and deleting the events of) the one before. Used by one task only.
/// </summary>
internal sealed class RecordWriter : IDisposable
{
    readonly long _fileLimit;
    readonly EventSerializer _serializer;
    readonly Action<string> _warn;
    readonly PooledBufferWriter _buffer = new();
    readonly Utf8JsonWriter _json;
    FileStream _file;
    long _recordsInFile;
    bool _fileHasEarlierRecords;
    long _recordsInPrevious;

    public RecordWriter(string path, long fileLimit, EventSerializer serializer, Action<string> warn)
    {
        Path = path;
        _fileLimit = fileLimit;
        _serializer = serializer;
        _warn = warn;
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
            var serialized = _serializer.Serialize(logEvent!);
            if (serialized.Written)
                _json.WriteRawValue(serialized.Bytes, skipInputValidation: true);
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

    public void Flush() => _file.Flush();

    void Roll()
    {
        _file.Dispose();
        var previous = Path + ".1";
        if (File.Exists(previous))
        {
            File.Delete(previous);
            var count = _recordsInPrevious < 0 ? "the" : _recordsInPrevious.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _warn($"The undelivered-events file {Path} reached undeliveredEventsSizeLimitBytes: {count} older undelivered security event(s) in {previous} were deleted");
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
        _file.Dispose();
        _json.Dispose();
        _buffer.Dispose();
        _serializer.Dispose();
    }
}
