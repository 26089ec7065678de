using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// Sends the durable buffer's files of this logger's destination, oldest first, with its own <see cref="RequestSender"/>
/// (the policy of live delivery: 400s isolated, 413s cut, the 24-hour rule; failures deferred, not retried). It lists
/// the directory once and works through the list, several small files to a request (within <c>batchSizeLimit</c> and
/// <c>batchSizeLimitBytes</c>), as fast as the endpoint accepts; it lists again when done. While the endpoint fails, it
/// probes with the oldest file at a backing-off pace (1 s doubling to a minute, <c>Retry-After</c> honoured). A file is
/// deleted only once every event of it is delivered or reported; what is left of a partly sent file is written back
/// first. What a file cannot say about itself (its rest could not be written back, it cannot be deleted after
/// delivery, it is another destination's or format's) this replayer remembers, so nothing is sent or reported twice.
/// Files it cannot read are moved aside, without being read whole.
/// </summary>
internal sealed class Replayer
{
    static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);
    static readonly TimeSpan SummaryEvery = TimeSpan.FromMinutes(5);

    /// <summary>Events older than this are named in SelfLog (every 5 minutes): at 23 hours they are reported, not sent.</summary>
    static readonly TimeSpan Aging = DeliveryOptions.MaximumEventAge - TimeSpan.FromHours(3);

    /// <summary>Files in one request at most: each stays open (and locked) until its events are delivered or reported.</summary>
    const int FilesPerRequest = 100;

    readonly BufferDirectory _buffer;
    readonly RequestSender _sender;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly DeliveryOptions _options;
    readonly ShutdownSignal _shutdown;
    readonly EndpointState _endpoint;
    readonly FormattedBatch _batch = new();
    readonly FormattedBatch _file = new();
    readonly PooledBufferWriter _contents = new();
    readonly PooledBufferWriter _rewrite = new();
    readonly List<Member> _members = new();
    readonly Task _running;

    // Per file, what the file itself cannot say: the events of it still to send (by position in the file) when its rest
    // could not be written back; none (empty) for a file this logger must not send: another destination's or format's,
    // damaged but neither movable nor deletable, or delivered but not deletable. Forgotten once the file is gone.
    readonly Dictionary<string, List<int>> _left = new(StringComparer.Ordinal);
    readonly HashSet<string> _otherDestinations = new(StringComparer.Ordinal);
    bool _saidUndeletable;

    public Replayer(BufferDirectory buffer, RequestSender sender, FailureReporter reporter, SinkStatistics statistics,
        DeliveryOptions options, ShutdownSignal shutdown, EndpointState endpoint)
    {
        _endpoint = endpoint;
        _buffer = buffer;
        _sender = sender;
        _reporter = reporter;
        _statistics = statistics;
        _options = options;
        _shutdown = shutdown;
        _running = Task.Run(RunAsync);
    }

    /// <summary>Completes soon after disposal begins (an attempt in flight ends within <c>requestTimeout</c>).</summary>
    public Task Completion => _running;

    TimeProvider Time => _options.Time;

    async Task RunAsync()
    {
        var failures = 0;
        long? failingSince = null;
        var lastSummary = Time.GetTimestamp();
        long? lastAgeCheck = null;
        try
        {
            while (!_shutdown.IsShuttingDown)
            {
                TimeSpan pause;
                var spilled = _endpoint.NextSpill();
                var result = Replay.Nothing;
                try
                {
                    var files = _buffer.Files();
                    Forget(files);
                    if (lastAgeCheck == null || Time.GetElapsedTime(lastAgeCheck.Value) >= SummaryEvery)
                    {
                        lastAgeCheck = Time.GetTimestamp();
                        SayWhatAges(files);
                    }

                    var started = Time.GetTimestamp();
                    string? deferredBecause;
                    (result, deferredBecause) = await ReplayAsync(files, probing: failures > 0).ConfigureAwait(false);
                    failures = result == Replay.Deferred ? failures + 1 : 0;
                    failingSince = result == Replay.Deferred ? failingSince ?? started : result == Replay.Delivered ? null : failingSince;
                    if (failingSince != null && Time.GetElapsedTime(lastSummary) >= SummaryEvery)
                    {
                        // A long outage is not silent: what waits, and why, every few minutes.
                        lastSummary = Time.GetTimestamp();
                        _reporter.Warn($"The durable buffer has waited {Time.GetElapsedTime(failingSince.Value).TotalMinutes:0} min for the endpoint: " +
                            $"{_buffer.Files().Count} file(s), {_buffer.Bytes():N0} bytes; last failure: {deferredBecause}");
                    }

                    // Delivered: list again at once (files written meanwhile); the pace is the endpoint's.
                    pause = result switch
                    {
                        Replay.Nothing => IdlePoll,
                        Replay.Deferred => _options.Backoff.DelayAfter(failures, _options.Random()),
                        _ => TimeSpan.Zero,
                    };
                }
                catch (Exception ex)
                {
                    // The disk or the directory misbehaves: say so, and try again later rather than spin.
                    _reporter.Warn("Replaying the durable buffer failed; trying again later: " + ex.Message);
                    pause = IdlePoll;
                }

                // Disposal may have gone on without this replayer (stuck in the file system): touch nothing of it.
                if (_shutdown.IsShuttingDown)
                    break;

                // With nothing to send, a new file wakes it at once; other processes' files are found on the next look.
                var waiting = Time.WaitAsync(pause, _shutdown.Token);
                await (result == Replay.Nothing ? Task.WhenAny(waiting, spilled) : waiting).ConfigureAwait(false);
            }
        }
        finally
        {
            _batch.Dispose();
            _file.Dispose();
            _contents.Dispose();
            _rewrite.Dispose();
            _sender.Dispose();
        }
    }

    /// <summary>Works through <paramref name="files"/>, one request at a time, until all are sent or one is deferred.</summary>
    async Task<(Replay Result, string? DeferredBecause)> ReplayAsync(List<FileInfo> files, bool probing)
    {
        var result = Replay.Nothing;
        var next = 0;
        while (next < files.Count && !_shutdown.IsShuttingDown)
        {
            try
            {
                next = Gather(files, next, probing ? 1 : FilesPerRequest);
                if (_members.Count == 0)
                    continue;
                var outcome = await _sender.SendAsync(_batch).ConfigureAwait(false);
                _statistics.AddReplayed(outcome.Delivered);
                Resolve();
                if (outcome.Deferred)
                    return (Replay.Deferred, outcome.DeferredBecause);
                result = Replay.Delivered;
                probing = false;
            }
            finally
            {
                foreach (var member in _members)
                    member.File.Dispose();
                _members.Clear();
            }
        }

        return (result, null);
    }

    /// <summary>Claims and reads files from <paramref name="start"/> into one batch; returns where the next batch starts.</summary>
    int Gather(List<FileInfo> files, int start, int maximumFiles)
    {
        _batch.Clear();
        var next = start;
        while (next < files.Count && _members.Count < maximumFiles && _batch.Count < _options.BatchSizeLimit &&
               _batch.Bytes < _options.BatchSizeLimitBytes && TryTake(files[next]))
            next++;
        return next;
    }

    /// <summary>Adds the file's events to the batch, or deals with a file not to send; false when the batch is full.</summary>
    bool TryTake(FileInfo info)
    {
        var path = info.FullName;
        _left.TryGetValue(path, out var left);
        if (left is { Count: 0 })
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
            // Not opened: an empty file, or not a regular file (a pipe, a socket, a device), whose opening may wait forever.
            SetAside(path, null, "no contents (it is empty, or not a regular file: a pipe, a socket or a device)");
            return true;
        }

        var claimed = BufferDirectory.TryClaim(path);
        if (claimed == null)
            return true; // another process or logger is sending it, or it is gone
        if (Superseded(claimed))
        {
            claimed.Dispose();
            return true;
        }

        _file.Clear();
        var (header, problem) = BufferFile.ReadHeader(claimed.Stream, _contents);
        if (header is { Format: BufferFile.Format } && header.Destination == _buffer.Destination)
            problem = BufferFile.ReadEvents(claimed.Stream, header, _contents, _file);
        if (problem != null || header == null)
        {
            SetAside(path, claimed, problem ?? "no header");
            return true;
        }

        if (header.Format != BufferFile.Format || header.Destination != _buffer.Destination)
        {
            claimed.Dispose();
            LeaveAlone(path, header);
            return true;
        }

        var indices = left ?? Enumerable.Range(0, _file.Count).ToList();
        if (_batch.Count > 0 && (_batch.Count + indices.Count > _options.BatchSizeLimit || _batch.Bytes + _file.Bytes > _options.BatchSizeLimitBytes))
        {
            claimed.Dispose(); // the next batch starts with it
            return false;
        }

        _members.Add(new Member(claimed, _batch.Count, indices));
        foreach (var index in indices)
            _batch.Add(null, _file.TimestampOf(index), _file.BytesOf(index));
        return true;
    }

    /// <summary>Deletes the files whose events were all delivered or reported; writes back what is left of the others.</summary>
    void Resolve()
    {
        var unresolved = _batch.UnresolvedSet();
        var next = 0;
        foreach (var member in _members)
        {
            var left = new List<int>();
            while (next < unresolved.Count && unresolved[next] < member.Start + member.Indices.Count)
                left.Add(unresolved[next++]);
            if (left.Count == 0)
                Delete(member.File);
            else if (left.Count < member.Indices.Count)
                KeepRest(member, left);
            // else: nothing of it was delivered or reported; it stays as it is, for a later try
        }
    }

    void KeepRest(Member member, List<int> left)
    {
        var path = member.File.Path;
        var problem = _buffer.TryRewrite(path, _batch, EventSet.Of(left), _rewrite);
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
    void Delete(ClaimedFile file)
    {
        try
        {
            file.Delete();
            _left.Remove(file.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            _left[file.Path] = new List<int>();
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
    bool Superseded(ClaimedFile claimed)
    {
        if (File.Exists(BufferDirectory.RewriteOf(claimed.Path)))
        {
            Delete(claimed);
            return true;
        }

        var original = BufferDirectory.OriginalOf(claimed.Path);
        if (original == null || !File.Exists(original))
            return false;
        using var held = BufferDirectory.TryClaim(original);
        if (held == null)
            return true; // its holder is just deleting it
        Delete(held);
        return false;
    }

    void SetAside(string path, ClaimedFile? claimed, string problem)
    {
        var where = _buffer.SetAside(path, claimed);
        if (File.Exists(path))
            _left[path] = new List<int>();
        _reporter.Warn($"The durable buffer file {path} has {problem}: it was not sent, and was {where}");
    }

    /// <summary>A file of another destination or format: left as it is, for the logger or the version it belongs to.</summary>
    void LeaveAlone(string path, BufferFile.Header header)
    {
        _left[path] = new List<int>();
        if (header.Format > BufferFile.Format)
            _reporter.Warn($"The durable buffer file {path} is of format {header.Format}, which only a newer version of the sink reads: " +
                "it is left where it is, unchanged, for that version");
        else if (header.Format < BufferFile.Format)
            _reporter.Warn($"The durable buffer file {path} is of format {header.Format}, written by a pre-release version that did not " +
                "record where its events go: it is left where it is, unchanged, and not sent, so that its events cannot reach another logger's endpoint");
        else if (_otherDestinations.Add(header.Destination!))
            _reporter.Warn($"The durable buffer {_buffer.Path} holds files for {header.Destination}; this logger sends only those for " +
                $"{_buffer.Destination}, and leaves the others for the logger that sends there");
    }

    /// <summary>Says how many of this logger's buffered events near the 23-hour limit, and how old the oldest is.</summary>
    void SayWhatAges(List<FileInfo> files)
    {
        var now = Time.GetUtcNow();
        var cutoff = (now - Aging).ToUnixTimeMilliseconds();
        var count = 0;
        var oldest = long.MaxValue;
        foreach (var file in files)
        {
            // A file's name starts with when it was written, after its events were logged: only old files are opened.
            if (!long.TryParse(file.Name.Substring(0, Math.Min(19, file.Name.Length)), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                continue;
            if (ticks > (now - Aging).UtcTicks)
                break;
            if (_left.TryGetValue(file.FullName, out var left) && left.Count == 0)
                continue;
            try
            {
                if (file.Length == 0)
                    continue;
                using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var (header, _) = BufferFile.ReadHeader(stream, _contents);
                if (header?.Destination != _buffer.Destination)
                    continue;
                foreach (var timestamp in header!.Timestamps.Where(t => t < cutoff))
                {
                    count++;
                    oldest = Math.Min(oldest, timestamp);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone, or being sent by another process.
            }
        }

        if (count > 0)
            _reporter.Warn($"{count} security event(s) in the durable buffer are more than {Aging.TotalHours:0} hours old (the oldest " +
                $"{(now - DateTimeOffset.FromUnixTimeMilliseconds(oldest)).TotalHours:0.0} h); at {DeliveryOptions.MaximumEventAge.TotalHours:0} hours " +
                "they are reported instead of sent (Dynatrace takes no event older than 24 hours)");
    }

    /// <summary>Forgets what it remembers of files that are gone (sent by another process, or removed).</summary>
    void Forget(List<FileInfo> files)
    {
        if (_left.Count == 0)
            return;
        var present = new HashSet<string>(files.Select(f => f.FullName), StringComparer.Ordinal);
        foreach (var path in _left.Keys.Where(p => !present.Contains(p)).ToList())
            _left.Remove(path);
    }

    /// <summary>A file in the batch being sent: its events are <c>Indices</c> (positions in the file) from <c>Start</c> on.</summary>
    readonly struct Member
    {
        public Member(ClaimedFile file, int start, List<int> indices)
        {
            File = file;
            Start = start;
            Indices = indices;
        }

        public ClaimedFile File { get; }
        public int Start { get; }
        public List<int> Indices { get; }
    }

    enum Replay
    {
        Nothing,
        Delivered,
        Deferred,
    }
}
