using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// The durable buffer's directory. Buffer files (<c>*.dtsb</c>, named so that the oldest sorts first) are written under a
/// temporary name, flushed to disk and renamed, so a crash leaves either a whole file or a temporary one (discarded).
/// A file is sent by whoever holds its OS lock (<see cref="TryClaim"/>), so processes and loggers sharing the directory
/// never send one file twice at once, and the file of a process that died is taken up by another. Files that cannot be
/// read and events the endpoint rejects are kept aside in small, capped subfolders for inspection, never resent.
/// </summary>
internal sealed class BufferDirectory
{
    public const string Extension = ".dtsb";
    const string DamagedFolder = "damaged";
    const string RejectedFolder = "rejected";

    readonly long _sizeLimit;
    readonly long _asideLimit;
    readonly TimeProvider _time;
    readonly string _processId = Process.GetCurrentProcess().Id.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
    int _sequence;

    BufferDirectory(string path, long sizeLimit, TimeProvider time)
    {
        Path = path;
        _sizeLimit = sizeLimit;
        _asideLimit = Math.Max(1024 * 1024, sizeLimit / 16);
        _time = time;
    }

    public string Path { get; }

    /// <summary>Creates the directory (owner-only where the OS allows) and proves it writable, or says what to fix.</summary>
    public static BufferDirectory Open(string path, long sizeLimit, TimeProvider time)
    {
        try
        {
            var full = System.IO.Path.GetFullPath(path);
            CreateOwnerOnly(full);
            var probe = System.IO.Path.Combine(full, ".probe-" + Guid.NewGuid().ToString("N") + ".tmp");
            using (OpenNew(probe))
            {
            }

            File.Delete(probe);
            var directory = new BufferDirectory(full, sizeLimit, time);
            directory.DiscardAbandonedTemporaryFiles();
            return directory;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException(
                $"The durable buffer directory '{path}' cannot be created or written ({ex.Message}); choose a directory the application may write to.",
                nameof(DynatraceSecuritySinkOptions.BufferPath), ex);
        }
    }

    /// <summary>The buffer files, oldest first.</summary>
    public List<string> Files()
    {
        var files = Directory.GetFiles(Path, "*" + Extension).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>The bytes the buffer files take now (every process's).</summary>
    public long Bytes()
    {
        long total = 0;
        foreach (var file in Directory.EnumerateFiles(Path, "*" + Extension))
        {
            try
            {
                total += new FileInfo(file).Length;
            }
            catch (IOException)
            {
                // Sent and deleted by another process meanwhile.
            }
        }

        return total;
    }

    /// <summary>
    /// Writes <paramref name="events"/> as a new buffer file, unless the buffer would pass its size limit (plus one
    /// file): the newest give way, so that the start of an outage is kept and what is refused is still in memory and
    /// reported. Returns null when written, otherwise why not.
    /// </summary>
    public string? TryWrite(FormattedBatch batch, EventSet events, PooledBufferWriter body) => TryWrite(batch, events, body, NextName(), checkLimit: true);

    /// <summary>Writes what is left of a replayed file under a name that sorts right after it (it replaces a larger file).</summary>
    public string? TryRewrite(string path, FormattedBatch batch, EventSet events, PooledBufferWriter body) =>
        TryWrite(batch, events, body, System.IO.Path.GetFileNameWithoutExtension(path) + "-r" + Extension, checkLimit: false);

    string? TryWrite(FormattedBatch batch, EventSet events, PooledBufferWriter body, string name, bool checkLimit)
    {
        var current = checkLimit ? Bytes() : 0;
        if (current > 0 && current >= _sizeLimit)
            return $"the durable buffer is full ({current:N0} bytes, bufferSizeLimitBytes {_sizeLimit:N0})";

        var temporary = System.IO.Path.Combine(Path, "." + name + ".tmp");
        try
        {
            using (var stream = OpenNew(temporary))
            {
                BufferFile.Write(stream, batch, events, body);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, System.IO.Path.Combine(Path, name));
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            return "writing to the durable buffer failed: " + ex.Message;
        }
    }

    /// <summary>Takes a file for sending; null when another process or logger has it, or it is gone.</summary>
    public static ClaimedFile? TryClaim(string path)
    {
        try
        {
            // Unix: .NET takes an exclusive advisory lock for FileShare.None. Windows: the share mode itself excludes
            // others, and Delete lets the holder remove the file while it is open.
            var share = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? FileShare.Delete : FileShare.None;
            return new ClaimedFile(path, new FileStream(path, FileMode.Open, FileAccess.Read, share));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Moves a file that cannot be read to the <c>damaged</c> folder (capped); returns where it went.</summary>
    public string MoveAside(ClaimedFile file)
    {
        var aside = System.IO.Path.Combine(Path, DamagedFolder);
        Directory.CreateDirectory(aside);
        var target = System.IO.Path.Combine(aside, System.IO.Path.GetFileName(file.Path));
        File.Move(file.Path, target);
        file.Dispose();
        Trim(aside);
        return target;
    }

    /// <summary>Keeps events the endpoint rejected on replay, one JSON line each, in the <c>rejected</c> folder (capped).</summary>
    public void KeepRejected(IReadOnlyList<byte[]?> events)
    {
        var aside = System.IO.Path.Combine(Path, RejectedFolder);
        Directory.CreateDirectory(aside);
        using (var stream = OpenNew(System.IO.Path.Combine(aside, NextName().Replace(Extension, ".jsonl"))))
        {
            foreach (var bytes in events)
            {
                if (bytes == null)
                    continue;
                stream.Write(bytes, 0, bytes.Length);
                stream.WriteByte((byte)'\n');
            }
        }

        Trim(aside);
    }

    string NextName() =>
        $"{_time.GetUtcNow().UtcTicks:D19}-{_processId}-{Interlocked.Increment(ref _sequence):D6}{Extension}";

    void DiscardAbandonedTemporaryFiles()
    {
        foreach (var temporary in Directory.GetFiles(Path, ".*.tmp"))
        {
            // A writer holds its temporary file open (locked) until it is renamed: one that can be taken is abandoned.
            using var claimed = TryClaim(temporary);
            if (claimed != null)
                TryDelete(temporary);
        }
    }

    void Trim(string folder)
    {
        var files = new DirectoryInfo(folder).GetFiles().OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        var total = files.Sum(f => f.Length);
        for (var i = 0; i < files.Count - 1 && total > _asideLimit; i++)
        {
            total -= files[i].Length;
            TryDelete(files[i].FullName);
        }
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    static FileStream OpenNew(string path)
    {
#if NET8_0_OR_GREATER
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // the files hold event payloads
        return new FileStream(path, options);
#else
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
#endif
    }

    static void CreateOwnerOnly(string path)
    {
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }
#endif
        Directory.CreateDirectory(path);
    }
}

/// <summary>A buffer file this process holds the lock of; deleting it or disposing releases it.</summary>
internal sealed class ClaimedFile : IDisposable
{
    public ClaimedFile(string path, FileStream stream)
    {
        Path = path;
        Stream = stream;
    }

    public string Path { get; }
    public FileStream Stream { get; }

    /// <summary>Deletes the file while still holding it, so no other process can take it in between.</summary>
    public void Delete()
    {
        File.Delete(Path);
        Stream.Dispose();
    }

    public void Dispose() => Stream.Dispose();
}
