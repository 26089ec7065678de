using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Durable;

/// <summary>
/// Sends the durable buffer's files of this logger's destination, oldest first, with its own <see cref="RequestSender"/>
/// (the policy of live delivery: 400s isolated, 413s cut, the 24-hour rule; failures deferred, not retried). It lists
/// the directory once and works through the list, a request's worth of files at a time (<see cref="ReplayBatch"/>), as
/// fast as the endpoint accepts; it lists again when done. While the endpoint fails, it probes with the oldest file at
/// a backing-off pace (1 s doubling to a minute, <c>Retry-After</c> honoured). Every 5 minutes it says what waits, and
/// what nears the 23-hour limit.
/// </summary>
internal sealed class Replayer
{
    static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);
    static readonly TimeSpan SummaryEvery = TimeSpan.FromMinutes(5);

    /// <summary>Events older than this are named in SelfLog (every 5 minutes): at 23 hours they are reported, not sent.</summary>
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
    readonly Task _running;

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
        _running = Task.Run(RunAsync);
    }

    /// <summary>Completes soon after disposal begins (an attempt in flight ends within <c>requestTimeout</c>).</summary>
    public Task Completion => _running;

    TimeProvider Time => _time;

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
                    if (lastSummary == null || Time.GetElapsedTime(lastSummary.Value) >= SummaryEvery)
                    {
                        // What waits is not silent: every few minutes, how long and why, and what nears the age limit.
                        lastSummary = Time.GetTimestamp();
                        if (failingSince != null)
                            _reporter.Warn($"The durable buffer has waited {Time.GetElapsedTime(failingSince.Value).TotalMinutes:0} min for the endpoint: " +
                                $"{files.Count} file(s), {_buffer.Bytes():N0} bytes; last failure: {lastFailure}");
                        SayWhatAges(files);
                    }

                    var started = Time.GetTimestamp();
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

                // With nothing to send, a new file wakes it at once; other processes' files are found on the next look.
                var waiting = Time.WaitAsync(pause, _shutdown.Token);
                await (result == Replay.Nothing ? Task.WhenAny(waiting, spilled) : waiting).ConfigureAwait(false);
            }
        }
        finally
        {
            _files.Dispose();
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
                if (_files.IsEmpty)
                    continue;
                var batch = _files.Events;
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

    /// <summary>Says how many of this logger's buffered events near the 23-hour limit, and how old the oldest is.</summary>
    void SayWhatAges(List<FileInfo> files)
    {
        var now = Time.GetUtcNow();
        var (count, oldest) = _files.EventsOlderThan(files, now - Aging);
        if (count > 0)
            _reporter.Warn($"{count} security event(s) in the durable buffer are more than {Aging.TotalHours:0} hours old (the oldest " +
                $"{(now - oldest).TotalHours:0.0} h); at {RequestSender.MaximumEventAge.TotalHours:0} hours " +
                "they are reported instead of sent (Dynatrace takes no event older than 24 hours)");
    }

    enum Replay
    {
        Nothing,
        Delivered,
        Deferred,
    }
}
