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
/// Files that cannot be read and events the endpoint rejects are kept aside in small, capped subfolders for
/// inspection, never resent.
/// </summary>
internal sealed class BufferDirectory
{
    public const string Extension = ".dtsb";
    public static readonly TimeSpan ListingReusedFor = TimeSpan.FromSeconds(1);

    static readonly string ProcessId = Process.GetCurrentProcess().Id.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    // Per process, not per logger: two loggers of one process sharing a directory never pick the same name.
    static int _sequence;

    readonly long _sizeLimit;
    readonly long _asideLimit;
    readonly TimeProvider _time;
    long _knownBytes;

    // TryWrite's view of the directory, the delivery loop's alone.
    long _listed;
    long? _listedAt;
    long _writtenSince;

    BufferDirectory(string path, string destination, long sizeLimit, TimeProvider time)
    {
        Path = path;
        Destination = destination;
        _sizeLimit = sizeLimit;
        _asideLimit = Math.Max(1024 * 1024, sizeLimit / 16);
        _time = time;
    }

    public string Path { get; }

    /// <summary>The ingest URL this logger's files go to; it sends no others.</summary>
    public string Destination { get; }

    /// <summary>The files' bytes as of the latest listing plus the files written since.</summary>
    public long KnownBytes => Interlocked.Read(ref _knownBytes);

    /// <summary>
    /// Creates the directory (owner-only where the OS allows) and proves it writable, or says what to fix. A full volume
    /// is not a configuration error (it may have room again soon): then it says why it cannot be written now.
    /// </summary>
    public static (BufferDirectory Directory, string? NotWritableNow) Open(string path, string destination, long sizeLimit, TimeProvider time)
    {
        try
        {
            var directory = new BufferDirectory(System.IO.Path.GetFullPath(path), destination, sizeLimit, time);
            CreateOwnerOnly(directory.Path);
            var probe = System.IO.Path.Combine(directory.Path, ".probe-" + Guid.NewGuid().ToString("N") + ".tmp");
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

            // A temporary file is locked until renamed: one that can be taken is abandoned (an empty one may be a pipe).
            foreach (var temporary in new DirectoryInfo(directory.Path).GetFiles(".*.tmp").Where(file => file.Length > 0))
            {
                using var claimed = BufferFile.TryClaim(temporary.FullName);
                if (claimed != null)
                    TryDelete(temporary.FullName);
            }

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

    /// <summary>The buffer files, oldest first, with their sizes as listed.</summary>
    public List<FileInfo> Files()
    {
        try
        {
            var files = new DirectoryInfo(Path).GetFiles("*" + Extension).OrderBy(file => file.Name, StringComparer.Ordinal).ToList();
            Interlocked.Exchange(ref _knownBytes, files.Sum(file => file.Length));
            return files;
        }
        catch (DirectoryNotFoundException)
        {
            return new List<FileInfo>(); // it is created again on the next write
        }
    }

    /// <summary>The bytes every process's buffer files take now.</summary>
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
            // The directory was removed, or a file went meanwhile.
        }

        Interlocked.Exchange(ref _knownBytes, total);
        return total;
    }

    /// <summary>
    /// Writes <paramref name="events"/> as a new file, unless the buffer is full: the newest give way, so that the start of
    /// an outage is kept and what is refused is still in memory and reported. Returns null when written, else why not;
    /// <paramref name="full"/> says whether that was the size limit.
    /// </summary>
    public string? TryWrite(FormattedBatch batch, EventSet events, PooledBufferWriter body, out bool full)
    {
        // Under half the limit a listing serves for a second, plus what this logger wrote since; nearer the limit every
        // write lists. (Listing for every write cost one stat per file: in a 10-minute outage at 10,000 events/s, 6,000
        // files, it doubled the sink's CPU.)
        if (_listedAt == null || _listed + _writtenSince >= _sizeLimit / 2 || _time.GetElapsedTime(_listedAt.Value) >= ListingReusedFor)
        {
            _listed = Bytes();
            _listedAt = _time.GetTimestamp();
            _writtenSince = 0;
        }

        var current = _listed + _writtenSince;
        full = current > 0 && current >= _sizeLimit;
        if (full)
            return $"the durable buffer is full ({current:N0} bytes, bufferSizeLimitBytes {_sizeLimit:N0})";
        var problem = TryWrite(batch, events, body, NextName(), out var length);
        _writtenSince += length;
        Interlocked.Add(ref _knownBytes, length);
        return problem;
    }

    /// <summary>Writes what is left of a replayed file as its rewrite; no size limit, as it replaces a larger file.</summary>
    public string? TryRewrite(string path, FormattedBatch batch, EventSet events, PooledBufferWriter body) =>
        TryWrite(batch, events, body, System.IO.Path.GetFileName(BufferFile.RewriteOf(path)), out _);

    string? TryWrite(FormattedBatch batch, EventSet events, PooledBufferWriter body, string name, out long length)
    {
        var temporary = System.IO.Path.Combine(Path, "." + name + ".tmp");
        try
        {
            CreateOwnerOnly(Path); // again, should it have been removed while the application runs
            using (var stream = OpenNew(temporary))
            {
                BufferFile.Write(stream, Destination, batch, events, body);
                stream.Flush(flushToDisk: true);
                length = stream.Length;
            }

            File.Move(temporary, System.IO.Path.Combine(Path, name));
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            length = 0;
            TryDelete(temporary);
            return "writing to the durable buffer failed: " + ex.Message;
        }
    }

    /// <summary>
    /// Moves a file that cannot be read to the capped <c>damaged</c> folder, or deletes it, so that it never holds up the
    /// files after it. Says where it went.
    /// </summary>
    public string SetAside(string path, FileStream? claimed)
    {
        try
        {
            var aside = CreateOwnerOnly(System.IO.Path.Combine(Path, "damaged"));
            var name = System.IO.Path.GetFileName(path);
            var target = System.IO.Path.Combine(aside, name);
            if (File.Exists(target))
                target = System.IO.Path.Combine(aside, System.IO.Path.GetFileNameWithoutExtension(NextName()) + "-" + name);
            File.Move(path, target);
            Trim(aside);
            return "kept as " + target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(path);
                return "deleted, as it could not be moved aside (" + ex.Message + ")";
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                return "left where it is and skipped, as it can be neither moved aside nor deleted (" + again.Message + ")";
            }
        }
        finally
        {
            claimed?.Dispose(); // held until it is moved or deleted, so that no other process takes it meanwhile
        }
    }

    /// <summary>Keeps events the endpoint rejected on replay, one JSON line each, in the <c>rejected</c> folder (capped).</summary>
    public void KeepRejected(IReadOnlyList<byte[]?> events)
    {
        var aside = CreateOwnerOnly(System.IO.Path.Combine(Path, "rejected"));
        using (var stream = OpenNew(System.IO.Path.Combine(aside, NextName().Replace(Extension, ".jsonl"))))
        {
            foreach (var bytes in events.OfType<byte[]>())
            {
                stream.Write(bytes, 0, bytes.Length);
                stream.WriteByte((byte)'\n');
            }
        }

        Trim(aside);
    }

    string NextName() =>
        $"{_time.GetUtcNow().UtcTicks:D19}-{ProcessId}-{Interlocked.Increment(ref _sequence):D6}{Extension}";

    /// <summary>Deletes the oldest files of an aside folder while it holds more than its cap (the newest stays).</summary>
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

    /// <summary>ENOSPC, EDQUOT (Linux, macOS); ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL (Windows).</summary>
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

    static string CreateOwnerOnly(string path)
    {
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
            return Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
#endif
        return Directory.CreateDirectory(path).FullName;
    }
}
