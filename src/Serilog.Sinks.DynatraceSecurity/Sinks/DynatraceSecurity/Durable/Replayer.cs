using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// Sends the durable buffer's files, oldest first, one at a time, with its own <see cref="RequestSender"/> (the policy of
/// live delivery: 400s isolated, 413s cut, the 24-hour rule; failures deferred, not retried). While the endpoint fails,
/// it probes with the oldest file at a backing-off pace (1 s doubling to a minute, <c>Retry-After</c> honoured); once a
/// file gets through, it drains the rest with a pause after each (as long as the request took, at least 20 ms), so a
/// long backlog neither hogs the CPU nor earns 429s. A file is deleted only once every event of it is delivered or
/// reported; what is left of a partly sent file is written back first (and when that cannot be written, this replayer
/// remembers what is left, so nothing is sent or reported twice). Files it cannot read are moved aside.
/// </summary>
internal sealed class Replayer
{
    static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);
    static readonly TimeSpan MinimumPause = TimeSpan.FromMilliseconds(20);
    static readonly TimeSpan SummaryEvery = TimeSpan.FromMinutes(5);

    readonly BufferDirectory _buffer;
    readonly RequestSender _sender;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly DeliveryOptions _options;
    readonly ShutdownSignal _shutdown;
    readonly FormattedBatch _read = new();
    readonly FormattedBatch _rest = new();
    readonly PooledBufferWriter _rewrite = new();
    readonly Task _running;

    // Files whose rest could not be written back: the events of each still to send. Files that are damaged and can be
    // neither moved aside nor deleted: skipped, so they never hold up the others.
    readonly Dictionary<string, List<int>> _left = new(StringComparer.Ordinal);
    readonly HashSet<string> _skipped = new(StringComparer.Ordinal);

    readonly EndpointState _endpoint;

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
        try
        {
            while (!_shutdown.IsShuttingDown)
            {
                TimeSpan pause;
                var spilled = _endpoint.NextSpill();
                var result = Replay.Nothing;
                try
                {
                    var started = Time.GetTimestamp();
                    string? deferredBecause;
                    (result, deferredBecause) = await ReplayOldestAsync().ConfigureAwait(false);
                    failures = result == Replay.Deferred ? failures + 1 : 0;
                    failingSince = result == Replay.Deferred ? failingSince ?? started : result == Replay.Delivered ? null : failingSince;
                    if (failingSince != null && Time.GetElapsedTime(lastSummary) >= SummaryEvery)
                    {
                        // A long outage is not silent: what waits, and why, every few minutes.
                        lastSummary = Time.GetTimestamp();
                        _reporter.Warn($"The durable buffer has waited {Time.GetElapsedTime(failingSince.Value).TotalMinutes:0} min for the endpoint: " +
                            $"{_buffer.Files().Count} file(s), {_buffer.Bytes():N0} bytes; last failure: {deferredBecause}");
                    }

                    pause = result switch
                    {
                        Replay.Nothing => IdlePoll,
                        Replay.Deferred => _options.Backoff.DelayAfter(failures, _options.Random()),
                        _ => Max(MinimumPause, Time.GetElapsedTime(started)),
                    };
                }
                catch (Exception ex)
                {
                    // The disk or the directory misbehaves: say so, and try again later rather than spin.
                    _reporter.Warn("Replaying the durable buffer failed; trying again later: " + ex.Message);
                    pause = IdlePoll;
                }

                // With nothing to send, a new file wakes it at once; other processes' files are found on the next look.
                var waiting = Time.WaitAsync(pause, _shutdown.Token);
                await (result == Replay.Nothing ? Task.WhenAny(waiting, spilled) : waiting).ConfigureAwait(false);
            }
        }
        finally
        {
            _read.Dispose();
            _rest.Dispose();
            _rewrite.Dispose();
            _sender.Dispose();
        }
    }

    async Task<(Replay Result, string? DeferredBecause)> ReplayOldestAsync()
    {
        var files = _buffer.Files();
        Forget(files);
        foreach (var path in files)
        {
            if (_skipped.Contains(path))
                continue;
            using var claimed = BufferDirectory.TryClaim(path);
            if (claimed == null || Superseded(claimed))
                continue; // another process or logger is sending it, or it is gone, or its rewrite replaces it

            _read.Clear();
            var problem = Read(claimed);
            if (problem != null)
            {
                var where = _buffer.SetAside(claimed);
                if (File.Exists(path))
                    _skipped.Add(path);
                _reporter.Warn($"The durable buffer file {path} has {problem}: it was not sent, and was {where}");
                return (Replay.Delivered, null);
            }

            var batch = RestOf(path);
            var outcome = await _sender.SendAsync(batch).ConfigureAwait(false);
            _statistics.AddReplayed(outcome.Delivered);
            var left = batch.UnresolvedSet();
            if (!outcome.Deferred || left.Count == 0)
            {
                claimed.Delete();
                _left.Remove(path);
                return (Replay.Delivered, null);
            }

            if (left.Count < batch.Count)
                KeepRest(claimed, batch, left); // what was delivered or reported is not sent again
            return (Replay.Deferred, outcome.DeferredBecause);
        }

        return (Replay.Nothing, null);
    }

    /// <summary>
    /// A crash between writing a file's rewrite and deleting the file leaves both; the rewrite holds what is left, so
    /// the original goes. Returns true when <paramref name="claimed"/> is not to be sent now.
    /// </summary>
    static bool Superseded(ClaimedFile claimed)
    {
        if (File.Exists(BufferDirectory.RewriteOf(claimed.Path)))
        {
            claimed.Delete();
            return true;
        }

        var original = BufferDirectory.OriginalOf(claimed.Path);
        if (original == null || !File.Exists(original))
            return false;
        using var held = BufferDirectory.TryClaim(original);
        if (held == null)
            return true; // its holder is just deleting it
        held.Delete();
        return false;
    }

    /// <summary>The file's events still to send: all of them, unless an earlier try could not write back its rest.</summary>
    FormattedBatch RestOf(string path)
    {
        if (!_left.TryGetValue(path, out var left))
            return _read;
        _rest.Clear();
        foreach (var index in left)
            _rest.Add(null, _read.TimestampOf(index), _read.BytesOf(index));
        return _rest;
    }

    void KeepRest(ClaimedFile claimed, FormattedBatch batch, EventSet left)
    {
        var problem = _buffer.TryRewrite(claimed.Path, batch, left, _rewrite);
        if (problem == null)
        {
            claimed.Delete();
            _left.Remove(claimed.Path);
            return;
        }

        // The file stays whole; this replayer remembers what is left of it (another process, or a restart, would send
        // the delivered events again, with the same event.id).
        var indices = new List<int>(left.Count);
        for (var i = 0; i < left.Count; i++)
            indices.Add(batch == _rest ? _left[claimed.Path][left[i]] : left[i]);
        if (!_left.ContainsKey(claimed.Path))
            _reporter.Warn($"What is left of the durable buffer file {claimed.Path} could not be rewritten ({problem}); it is kept whole, and this logger sends only its {indices.Count} undelivered event(s)");
        _left[claimed.Path] = indices;
    }

    /// <summary>Forgets what is left of files that are gone (sent by another process).</summary>
    void Forget(List<string> files)
    {
        if (_left.Count == 0 && _skipped.Count == 0)
            return;
        var present = new HashSet<string>(files, StringComparer.Ordinal);
        foreach (var path in _left.Keys.Where(p => !present.Contains(p)).ToList())
            _left.Remove(path);
        _skipped.IntersectWith(present);
    }

    string? Read(ClaimedFile claimed)
    {
        var length = (int)claimed.Stream.Length;
        var contents = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var read = 0;
            int chunk;
            while (read < length && (chunk = claimed.Stream.Read(contents, read, length - read)) > 0)
                read += chunk;
            return BufferFile.TryRead(contents, read, _read);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(contents);
        }
    }

    static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    enum Replay
    {
        Nothing,
        Delivered,
        Deferred,
    }
}
