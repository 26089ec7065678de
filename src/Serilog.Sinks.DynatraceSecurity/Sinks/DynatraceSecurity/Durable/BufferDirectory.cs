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
    readonly BufferSize _size;
    static readonly string ProcessId = Process.GetCurrentProcess().Id.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    long _knownBytes;

    // Per process, not per logger: two loggers of one process sharing a directory never pick the same name.
    static int _sequence;

    BufferDirectory(string path, string destination, long sizeLimit, TimeProvider time)
    {
        Path = path;
        Destination = destination;
        _sizeLimit = sizeLimit;
        _asideLimit = Math.Max(1024 * 1024, sizeLimit / 16);
        _time = time;
        _size = new BufferSize(Bytes, sizeLimit, time);
    }

    public string Path { get; }

    /// <summary>Where this logger's files go (the ingest URL: environment, route and endpoint); it sends no others.</summary>
    public string Destination { get; }

    /// <summary>
    /// The bytes of the buffer files as of the latest listing (the replayer lists at least every few seconds, and at once
    /// after it delivered), with the files written since: what a health check reads, without a listing of its own.
    /// </summary>
    public long KnownBytes => Interlocked.Read(ref _knownBytes);

    /// <summary>
    /// Creates the directory (owner-only where the OS allows) and proves it writable, or says what to fix. A volume
    /// without space or inodes is not a configuration error (it may have room again soon): the directory is returned
    /// with the reason it cannot be written now.
    /// </summary>
    public static (BufferDirectory Directory, string? NotWritableNow) Open(string path, string destination, long sizeLimit, TimeProvider time)
    {
        try
        {
            var full = System.IO.Path.GetFullPath(path);
            CreateOwnerOnly(full);
            var probe = System.IO.Path.Combine(full, ".probe-" + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using var stream = OpenNew(probe);
                stream.WriteByte(0); // a full volume may still take an empty file
                stream.Flush(flushToDisk: true);
            }
            finally
            {
                TryDelete(probe);
            }

            var directory = new BufferDirectory(full, destination, sizeLimit, time);
            directory.DiscardAbandonedTemporaryFiles();
            return (directory, null);
        }
        catch (IOException ex) when (IsNoSpace(ex))
        {
            return (new BufferDirectory(System.IO.Path.GetFullPath(path), destination, sizeLimit, time), ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ArgumentException(
                $"The durable buffer directory '{path}' cannot be created or written ({ex.Message}); choose a directory the application may write to.",
                nameof(DynatraceSecuritySinkOptions.BufferPath), ex);
        }
    }

    /// <summary>The buffer files, oldest first (none when the directory was removed), with their sizes as listed.</summary>
    public List<FileInfo> Files()
    {
        List<FileInfo> files;
        try
        {
            files = new DirectoryInfo(Path).GetFiles("*" + Extension).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return new List<FileInfo>(); // it is created again on the next write
        }

        files.Sort((a, b) => StringComparer.Ordinal.Compare(a.Name, b.Name));
        Interlocked.Exchange(ref _knownBytes, files.Sum(file => file.Length));
        return files;
    }

    /// <summary>The bytes the buffer files take now (every process's).</summary>
    public long Bytes()
    {
        long total = 0;
        try
        {
            foreach (var file in new DirectoryInfo(Path).EnumerateFiles("*" + Extension))
                total += file.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The directory was removed (it is created again on the next write), or a file went meanwhile.
        }

        Interlocked.Exchange(ref _knownBytes, total);
        return total;
    }

    /// <summary>
    /// Writes <paramref name="events"/> as a new buffer file, unless the buffer would pass its size limit (plus one
    /// file): the newest give way, so that the start of an outage is kept and what is refused is still in memory and
    /// reported. Returns null when written, otherwise why not.
    /// </summary>
    public string? TryWrite(FormattedBatch batch, EventSet events, PooledBufferWriter body) => TryWrite(batch, events, body, NextName(), checkLimit: true);

    /// <summary>
    /// Writes what is left of a replayed file as its rewrite (<see cref="RewriteOf"/>; it replaces a larger file, so the
    /// size limit does not apply). The caller deletes the original after this: if a crash comes in between, the
    /// rewrite supersedes the original.
    /// </summary>
    public string? TryRewrite(string path, FormattedBatch batch, EventSet events, PooledBufferWriter body) =>
        TryWrite(batch, events, body, System.IO.Path.GetFileName(RewriteOf(path)), checkLimit: false);

    /// <summary>The name of what is left of <paramref name="path"/> once part of it was delivered.</summary>
    public static string RewriteOf(string path) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, System.IO.Path.GetFileNameWithoutExtension(path) + "-r" + Extension);

    /// <summary>The file <paramref name="path"/> is a rewrite of, or null when it is an original.</summary>
    public static string? OriginalOf(string path)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        return name.EndsWith("-r", StringComparison.Ordinal)
            ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, name.Substring(0, name.Length - 2) + Extension)
            : null;
    }

    string? TryWrite(FormattedBatch batch, EventSet events, PooledBufferWriter body, string name, bool checkLimit)
    {
        var temporary = System.IO.Path.Combine(Path, "." + name + ".tmp");
        try
        {
            var current = checkLimit ? _size.Current() : 0;
            if (current > 0 && current >= _sizeLimit)
                return $"the durable buffer is full ({current:N0} bytes, bufferSizeLimitBytes {_sizeLimit:N0})";

            CreateOwnerOnly(Path); // again, should it have been removed while the application runs
            long length;
            using (var stream = OpenNew(temporary))
            {
                BufferFile.Write(stream, Destination, batch, events, body);
                stream.Flush(flushToDisk: true);
                length = stream.Length;
            }

            File.Move(temporary, System.IO.Path.Combine(Path, name));
            if (checkLimit)
            {
                _size.Wrote(length); // a rewrite (the replayer's thread) replaces a larger file: it adds nothing
                Interlocked.Add(ref _knownBytes, length);
            }
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
        FileStream? stream = null;
        try
        {
            // Unix: .NET takes an exclusive advisory lock for FileShare.None. Windows: the share mode itself excludes
            // others, and Delete lets the holder remove the file while it is open.
            var share = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? FileShare.Delete : FileShare.None;
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, share);

            // Unix: the lock is taken after the open, so the holder may have deleted (or moved aside) the file in
            // between and released it; what is locked then is no longer the buffer's file. Names are never reused.
            if (!File.Exists(path))
            {
                stream.Dispose();
                return null;
            }

            return new ClaimedFile(path, stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            return null;
        }
    }

    /// <summary>
    /// Moves a file that cannot be read to the <c>damaged</c> folder (capped), or deletes it when it cannot be moved, so
    /// that it never holds up the files after it; <paramref name="file"/> is null for a file that is not opened (one
    /// that cannot be a buffer file). Says where it went.
    /// </summary>
    public string SetAside(string path, ClaimedFile? file)
    {
        try
        {
            var aside = System.IO.Path.Combine(Path, DamagedFolder);
            CreateOwnerOnly(aside);
            var name = System.IO.Path.GetFileName(path);
            var target = System.IO.Path.Combine(aside, name);
            if (File.Exists(target))
                target = System.IO.Path.Combine(aside, System.IO.Path.GetFileNameWithoutExtension(NextName()) + "-" + name);
            File.Move(path, target);
            file?.Dispose();
            Trim(aside);
            return "kept as " + target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                if (file == null)
                    File.Delete(path);
                else
                    file.Delete();
                return "deleted, as it could not be moved aside (" + ex.Message + ")";
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                file?.Dispose();
                return "left where it is and skipped, as it can be neither moved aside nor deleted (" + again.Message + ")";
            }
        }
    }

    /// <summary>Keeps events the endpoint rejected on replay, one JSON line each, in the <c>rejected</c> folder (capped).</summary>
    public void KeepRejected(IReadOnlyList<byte[]?> events)
    {
        var aside = System.IO.Path.Combine(Path, RejectedFolder);
        CreateOwnerOnly(aside);
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
        $"{_time.GetUtcNow().UtcTicks:D19}-{ProcessId}-{Interlocked.Increment(ref _sequence):D6}{Extension}";

    void DiscardAbandonedTemporaryFiles()
    {
        foreach (var temporary in new DirectoryInfo(Path).GetFiles(".*.tmp"))
        {
            // A writer holds its temporary file open (locked) until it is renamed: one that can be taken is abandoned.
            // An empty one is left: it may be a pipe, whose opening would wait for a writer.
            if (temporary.Length == 0)
                continue;
            using var claimed = TryClaim(temporary.FullName);
            if (claimed != null)
                TryDelete(temporary.FullName);
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

    /// <summary>
    /// No space or no inodes left: ENOSPC and EDQUOT (Linux, macOS), ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL (Windows).
    /// </summary>
    static bool IsNoSpace(IOException ex) => RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
        ? (ex.HResult & 0xFFFF) is 39 or 112
        : ex.HResult is 28 or 122 or 69;

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
