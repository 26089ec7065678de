using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>A test that needs Unix files (a named pipe, Unix permissions).</summary>
class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
            Skip = "needs Unix (named pipes, Unix permissions)";
    }

    /// <summary>
    /// The test makes a directory read-only (<see cref="FileSystemSituations.ReadOnly"/>): as root, whom permissions do
    /// not stop, that takes a mount.
    /// </summary>
    public bool MakesReadOnly
    {
        get => false;
        init
        {
            if (value && Skip == null && Environment.UserName == "root" && !FileSystemSituations.CanMount)
                Skip = "needs, as root, the right to mount (CAP_SYS_ADMIN) to make a directory read-only";
        }
    }
}

/// <summary>A test that needs to mount a file system or watch opens: Linux, as root with CAP_SYS_ADMIN.</summary>
sealed class LinuxRootFactAttribute : FactAttribute
{
    public LinuxRootFactAttribute()
    {
        if (!FileSystemSituations.CanMount)
            Skip = "needs Linux and root with CAP_SYS_ADMIN (mount, fanotify)";
    }
}

/// <summary>
/// Real file-system situations, made with the system's own tools: a read-only directory, a full volume, a named pipe,
/// an open that does not return. Each is undone on dispose.
/// </summary>
static class FileSystemSituations
{
    /// <summary>Linux, root, with CAP_SYS_ADMIN among the effective capabilities (a container may drop it).</summary>
    public static bool CanMount { get; } = OperatingSystem.IsLinux() && Environment.UserName == "root" && HasSysAdmin();

    static bool HasSysAdmin()
    {
        const int CapSysAdmin = 21;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                    return (Convert.ToUInt64(line.Substring(7).Trim(), 16) & (1UL << CapSysAdmin)) != 0;
            }
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
        }

        return false;
    }

    /// <summary>
    /// Makes <paramref name="directory"/> read-only: as root (whom permissions do not stop) a read-only bind mount of
    /// it over itself, as the volume remounted read-only would be; otherwise its permissions (0555).
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static IDisposable ReadOnly(string directory)
    {
        if (Environment.UserName != "root")
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            return new Undo(() => File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        }

        Run("mount", "--bind", directory, directory);
        Run("mount", "-o", "remount,bind,ro", directory);
        return new Undo(() => Unmount(directory));
    }

    /// <summary>Mounts a small tmpfs at <paramref name="directory"/> (created): <paramref name="options"/> such as size=..,nr_inodes=..</summary>
    public static IDisposable Tmpfs(string directory, string options)
    {
        Directory.CreateDirectory(directory);
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", directory);
        return new Undo(() => Unmount(directory));
    }

    /// <summary>Creates a named pipe (FIFO): opening it for reading waits until a writer comes.</summary>
    public static void MakeFifo(string path) => Run("mkfifo", path);

    /// <summary>
    /// Lets a reader stuck opening the named pipe <paramref name="path"/> go on: opening it for reading and writing
    /// never waits and counts as a writer.
    /// </summary>
    public static void ReleaseFifo(string path)
    {
        try
        {
            if (File.Exists(path))
                new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite).Dispose();
        }
        catch (IOException)
        {
            // The open itself released the reader, which then locked the pipe before this stream could.
        }
    }

    static void Unmount(string directory)
    {
        // A file still open on it (a process that is left behind) makes umount fail: detach it then.
        if (!TryRun("umount", directory))
            Run("umount", "-l", directory);
    }

    static void Run(params string[] command)
    {
        if (!TryRun(command))
            throw new InvalidOperationException("Failed: " + string.Join(" ", command));
    }

    static bool TryRun(params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command[1..])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    sealed class Undo : IDisposable
    {
        Action? _undo;

        public Undo(Action undo) => _undo = undo;

        public void Dispose()
        {
            _undo?.Invoke();
            _undo = null;
        }
    }
}

/// <summary>
/// Holds every open of one file until disposed, as an on-access scanner that does not answer would (fanotify
/// permission events, Linux, CAP_SYS_ADMIN): whoever opens the file waits in the kernel. Disposing allows them.
/// </summary>
sealed class StuckOpen : IDisposable
{
    const uint FanClassContent = 0x4, FanCloexec = 0x1, FanMarkAdd = 0x1;
    const ulong FanOpenPerm = 0x10000;
    const int AtFdcwd = -100;

    int _fd;

    public StuckOpen(string path)
    {
        _fd = fanotify_init(FanClassContent | FanCloexec, 0);
        if (_fd < 0 || fanotify_mark(_fd, FanMarkAdd, FanOpenPerm, AtFdcwd, path) != 0)
            throw new InvalidOperationException("fanotify failed: errno " + Marshal.GetLastPInvokeError());
    }

    /// <summary>Completes when someone has begun to open the file (and waits).</summary>
    public Task Opening => Task.Factory.StartNew(() =>
    {
        // struct fanotify_event_metadata: event_len u32, vers u8, reserved u8, metadata_len u16, mask u64, fd s32, pid s32.
        var metadata = new byte[24];
        if (read(_fd, metadata, metadata.Length) < metadata.Length)
            throw new InvalidOperationException("fanotify read failed: errno " + Marshal.GetLastPInvokeError());
        close(BitConverter.ToInt32(metadata, 16)); // the event's own descriptor of the file
    }, TaskCreationOptions.LongRunning);

    public void Dispose()
    {
        // Closing the group allows every open it holds.
        if (_fd >= 0)
            close(_fd);
        _fd = -1;
    }

    [DllImport("libc", SetLastError = true)]
    static extern int fanotify_init(uint flags, uint eventFileFlags);

    [DllImport("libc", SetLastError = true)]
    static extern int fanotify_mark(int fd, uint flags, ulong mask, int directoryFd, string path);

    [DllImport("libc", SetLastError = true)]
    static extern nint read(int fd, byte[] buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    static extern int close(int fd);
}
