using System;
using System.IO;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

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
