using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// Sends the durable buffer's files of this logger's destination, oldest first, with its own <see cref="RequestSender"/>
/// (the policy of live delivery: 400s isolated, 413s cut, the 24-hour rule; failures deferred, not retried). It lists
/// the directory once and works through the list, a request's worth of files at a time (<see cref="ReplayBatch"/>), as
/// fast as the endpoint accepts; it lists again when done. While the endpoint fails, it probes with the oldest file at
/// a backing-off pace (<c>Retry-After</c> honoured).
/// </summary>
internal sealed class Replayer
{
    /// <summary>How long it waits for a new file when it has nothing to send (other processes' files are found then).</summary>
    public static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);

    static readonly TimeSpan SummaryEvery = TimeSpan.FromMinutes(5);

    /// <summary>Events older than this are named in SelfLog: at 23 hours they are reported, not sent.</summary>
    static readonly TimeSpan Aging = RequestSender.MaximumEventAge - TimeSpan.FromHours(3);

    readonly BufferDirectory _buffer;
    readonly RequestSender _sender;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly TimeProvider _time;
    readonly Backoff _backoff;
    readonly ShutdownSignal _shutdown;
    readonly EndpointState _endpoint;
    readonly ReplayBatch _files;
    readonly PooledBufferWriter _headers = new();

    public Replayer(BufferDirectory buffer, RequestSender sender, FailureReporter reporter, SinkStatistics statistics, SinkSettings settings,
        ShutdownSignal shutdown, EndpointState endpoint, TimeProvider time, Backoff backoff)
    {
        _endpoint = endpoint;
        _buffer = buffer;
        _sender = sender;
        _reporter = reporter;
        _statistics = statistics;
        _time = time;
        _backoff = backoff;
        _shutdown = shutdown;
        _files = new ReplayBatch(buffer, reporter, settings);
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Completes soon after disposal begins (an attempt in flight ends within <c>requestTimeout</c>).</summary>
    public Task Completion { get; }

    async Task RunAsync()
    {
        var failures = 0;
        long? failingSince = null;
        long? lastSummary = null;
        string? lastFailure = null;
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
                    _files.Forget(files);
                    if (lastSummary == null || _time.GetElapsedTime(lastSummary.Value) >= SummaryEvery)
                    {
                        lastSummary = _time.GetTimestamp();
                        if (failingSince != null)
                            _reporter.Warn($"The durable buffer has waited {_time.GetElapsedTime(failingSince.Value).TotalMinutes:0} min for the endpoint: " +
                                $"{files.Count} file(s), {_buffer.KnownBytes:N0} bytes; last failure: {lastFailure}");
                        SayWhatAges(files);
                    }

                    var started = _time.GetTimestamp();
                    (result, lastFailure) = await ReplayAsync(files, probing: failures > 0).ConfigureAwait(false);
                    failures = result == Replay.Deferred ? failures + 1 : 0;
                    failingSince = result == Replay.Deferred ? failingSince ?? started : result == Replay.Delivered ? null : failingSince;

                    // Delivered: list again at once (files written meanwhile); the pace is the endpoint's.
                    pause = result switch
                    {
                        Replay.Nothing => IdlePoll,
                        Replay.Deferred => _backoff.DelayAfter(failures),
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

                // With nothing to send, a new file wakes it at once.
                var waiting = _time.WaitAsync(pause, _shutdown.Token);
                await (result == Replay.Nothing ? Task.WhenAny(waiting, spilled) : waiting).ConfigureAwait(false);
            }
        }
        finally
        {
            _files.Dispose();
            _headers.Dispose();
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
                next = _files.Gather(files, next, probing);
                var batch = _files.Events;
                if (batch.Count == 0)
                    continue;
                await _sender.SendAsync(batch).ConfigureAwait(false);
                _statistics.AddReplayed(batch.Delivered);
                _files.Settle();
                if (batch.Deferred)
                    return (Replay.Deferred, batch.DeferredBecause);
                result = Replay.Delivered;
                probing = false;
            }
            finally
            {
                _files.Release();
            }
        }

        return (result, null);
    }

    /// <summary>
    /// Says how many of this destination's buffered events near the 23-hour limit. Only files written before the cutoff
    /// are opened (a name starts with when the file was written, after its events were logged), and only their headers read.
    /// </summary>
    void SayWhatAges(List<FileInfo> files)
    {
        var now = _time.GetUtcNow();
        var cutoff = now - Aging;
        var count = 0;
        var oldest = long.MaxValue;
        foreach (var file in files)
        {
            if (!long.TryParse(file.Name.Substring(0, Math.Min(19, file.Name.Length)), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                continue;
            if (ticks > cutoff.UtcTicks)
                break;
            if (_files.LeavesAlone(file.FullName))
                continue;
            try
            {
                if (file.Length == 0)
                    continue;
                using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var (header, _) = BufferFile.ReadHeader(stream, _headers);
                if (header?.Destination != _buffer.Destination)
                    continue;
                foreach (var timestamp in header!.Timestamps.Where(t => t < cutoff.ToUnixTimeMilliseconds()))
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
                $"{(now - DateTimeOffset.FromUnixTimeMilliseconds(oldest)).TotalHours:0.0} h); at {RequestSender.MaximumEventAge.TotalHours:0} hours " +
                "they are reported instead of sent (Dynatrace takes no event older than 24 hours)");
    }

    enum Replay
    {
        Nothing,
        Delivered,
        Deferred,
    }
}
