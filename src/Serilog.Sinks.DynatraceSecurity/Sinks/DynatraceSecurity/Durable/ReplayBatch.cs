using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// The <see cref="Replayer"/>'s files of one request, read into one batch (several small files to a request), and
/// settled once it is resolved: deleted when every event was delivered or reported, written back when partly sent.
/// On the way it deals with the files not to send (moved aside when they cannot be buffer files, left alone when they
/// are another destination's or format's) and remembers, across requests, what a file cannot say about itself, so
/// that nothing is sent or reported twice.
/// </summary>
internal sealed class ReplayBatch : IDisposable
{
    /// <summary>Files in one request at most: each stays open (and locked) until its events are delivered or reported.</summary>
    const int FilesPerRequest = 100;

    readonly BufferDirectory _buffer;
    readonly FailureReporter _reporter;
    readonly int _batchSizeLimit;
    readonly int _batchSizeLimitBytes;
    readonly FormattedBatch _file = new();
    readonly PooledBufferWriter _contents = new();
    readonly PooledBufferWriter _rewrite = new();

    // The files taken: the events of each are Indices (positions in the file) in Events from Start on.
    readonly List<(FileStream File, int Start, List<int> Indices)> _members = new();

    // Per file, what the file itself cannot say: the events of it still to send (by position in the file) when its rest
    // could not be written back; none (empty) for a file this logger must not send: another destination's or format's,
    // damaged but neither movable nor deletable, or delivered but not deletable. Forgotten once the file is gone.
    readonly Dictionary<string, List<int>> _left = new(StringComparer.Ordinal);
    readonly HashSet<string> _otherDestinations = new(StringComparer.Ordinal);
    bool _saidUndeletable;

    public ReplayBatch(BufferDirectory buffer, FailureReporter reporter, SinkSettings settings)
    {
        _buffer = buffer;
        _reporter = reporter;
        _batchSizeLimit = settings.BatchSizeLimit;
        _batchSizeLimitBytes = settings.BatchSizeLimitBytes;
    }

    public FormattedBatch Events { get; } = new();

    /// <summary>
    /// Takes the files from <paramref name="start"/> on into <see cref="Events"/>, up to a request's worth (one file when
    /// <paramref name="probing"/>), dealing with the files not to send on the way; returns where the next batch starts.
    /// </summary>
    public int Gather(List<FileInfo> files, int start, bool probing)
    {
        Events.Clear();
        var next = start;
        while (next < files.Count && _members.Count < (probing ? 1 : FilesPerRequest) && Events.Count < _batchSizeLimit &&
               Events.Bytes < _batchSizeLimitBytes && TryTake(files[next]))
            next++;
        return next;
    }

    public void Release()
    {
        foreach (var member in _members)
            member.File.Dispose();
        _members.Clear();
    }

    /// <summary>Adds the file's events to the batch, or deals with a file not to send; false when the batch is full.</summary>
    bool TryTake(FileInfo info)
    {
        var path = info.FullName;
        if (LeavesAlone(path))
            return true;
        long length;
        try
        {
            length = info.Length;
        }
        catch (IOException)
        {
            return true; // gone since the listing
        }

        if (length == 0)
        {
            // Not opened: a pipe, a socket or a device may make the opening wait forever.
            SetAside(path, null, "no contents (it is empty, or not a regular file: a pipe, a socket or a device)");
            return true;
        }

        var claimed = BufferFile.TryClaim(path);
        if (claimed == null)
            return true; // another process or logger is sending it, or it is gone
        if (Superseded(claimed))
        {
            claimed.Dispose();
            return true;
        }

        _file.Clear();
        BufferFile? header;
        string? problem;
        try
        {
            (header, problem) = BufferFile.ReadHeader(claimed, _contents);
            if (header is { Format: BufferFile.CurrentFormat } && header.Destination == _buffer.Destination)
                problem = header.ReadEvents(claimed, _contents, _file);
        }
        catch (IOException ex)
        {
            (header, problem) = (null, "a part that cannot be read (" + ex.Message + ")");
        }

        if (problem != null || header == null)
        {
            SetAside(path, claimed, problem ?? "no header");
            return true;
        }

        if (header.Format != BufferFile.CurrentFormat || header.Destination != _buffer.Destination)
        {
            claimed.Dispose();
            LeaveAlone(path, header);
            return true;
        }

        var indices = _left.TryGetValue(path, out var left) ? left : Enumerable.Range(0, _file.Count).ToList();
        if (Events.Count > 0 && (Events.Count + indices.Count > _batchSizeLimit || Events.Bytes + _file.Bytes > _batchSizeLimitBytes))
        {
            claimed.Dispose(); // the next batch starts with it
            return false;
        }

        _members.Add((claimed, Events.Count, indices));
        foreach (var index in indices)
            Events.Add(null, _file.TimestampOf(index), _file.BytesOf(index));
        return true;
    }

    /// <summary>Deletes the files whose events were all delivered or reported, writes back what is left of the others.</summary>
    public void Settle()
    {
        var unresolved = Events.UnresolvedSet();
        var next = 0;
        foreach (var member in _members)
        {
            var left = new List<int>();
            while (next < unresolved.Count && unresolved[next] < member.Start + member.Indices.Count)
                left.Add(unresolved[next++]);
            if (left.Count == 0)
                Delete(member.File);
            else if (left.Count < member.Indices.Count)
                KeepRest(member, left); // (none of it resolved: it stays as it is, for a later try)
        }
    }

    void KeepRest((FileStream File, int Start, List<int> Indices) member, List<int> left)
    {
        var path = member.File.Name;
        var problem = _buffer.TryRewrite(path, Events, EventSet.Of(left), _rewrite);
        if (problem == null)
        {
            _left.Remove(path);
            Delete(member.File);
            return;
        }

        // The file stays whole; this replayer remembers what is left of it (another process, or a restart, would send
        // the delivered events again, with the same event.id).
        var indices = left.Select(index => member.Indices[index - member.Start]).ToList();
        if (!_left.ContainsKey(path))
            _reporter.Warn($"What is left of the durable buffer file {path} could not be rewritten ({problem}); it is kept whole, and this logger sends only its {indices.Count} undelivered event(s)");
        _left[path] = indices;
    }

    /// <summary>Deletes a file this replayer is done with; one that cannot be deleted is never sent again by it.</summary>
    void Delete(FileStream file)
    {
        try
        {
            BufferFile.Delete(file);
            _left.Remove(file.Name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            _left[file.Name] = new List<int>();
            if (_saidUndeletable)
                return;
            _saidUndeletable = true;
            _reporter.Warn($"A durable buffer file this logger is done with cannot be deleted ({ex.Message}): the directory {_buffer.Path} is " +
                "read-only (or the file protected). This logger does not send such a file again, but the next start of the application may " +
                "send it again, with the same event.id (dedup event.id removes the duplicates)");
        }
    }

    /// <summary>
    /// A crash between writing a file's rewrite and deleting the file leaves both; the rewrite holds what is left, so
    /// the original goes. Returns true when <paramref name="claimed"/> is not to be sent now.
    /// </summary>
    bool Superseded(FileStream claimed)
    {
        if (File.Exists(BufferFile.RewriteOf(claimed.Name)))
        {
            Delete(claimed);
            return true;
        }

        var original = BufferFile.OriginalOf(claimed.Name);
        if (original == null || !File.Exists(original))
            return false;
        using var held = BufferFile.TryClaim(original);
        if (held == null)
            return true; // its holder is just deleting it
        Delete(held);
        return false;
    }

    void SetAside(string path, FileStream? claimed, string problem)
    {
        var where = _buffer.SetAside(path, claimed);
        if (File.Exists(path))
            _left[path] = new List<int>();
        _reporter.Warn($"The durable buffer file {path} has {problem}: it was not sent, and was {where}");
    }

    /// <summary>A file of another destination or format: left as it is, for the logger or the version it belongs to.</summary>
    void LeaveAlone(string path, BufferFile header)
    {
        _left[path] = new List<int>();
        if (header.Format > BufferFile.CurrentFormat)
            _reporter.Warn($"The durable buffer file {path} is of format {header.Format}, which only a newer version of the sink reads: " +
                "it is left where it is, unchanged, for that version");
        else if (header.Format < BufferFile.CurrentFormat)
            _reporter.Warn($"The durable buffer file {path} is of format {header.Format}, written by a pre-release version that did not " +
                "record where its events go: it is left where it is, unchanged, and not sent, so that its events cannot reach another logger's endpoint");
        else if (_otherDestinations.Add(header.Destination!))
            _reporter.Warn($"The durable buffer {_buffer.Path} holds files for {header.Destination}; this logger sends only those for " +
                $"{_buffer.Destination}, and leaves the others for the logger that sends there");
    }

    public bool LeavesAlone(string path) => _left.TryGetValue(path, out var left) && left.Count == 0;

    /// <summary>Forgets what it remembers of files that are gone.</summary>
    public void Forget(List<FileInfo> files)
    {
        var present = new HashSet<string>(files.Select(f => f.FullName), StringComparer.Ordinal);
        foreach (var path in _left.Keys.Where(p => !present.Contains(p)).ToList())
            _left.Remove(path);
    }

    public void Dispose()
    {
        Release();
        Events.Dispose();
        _file.Dispose();
        _contents.Dispose();
        _rewrite.Dispose();
    }
}
