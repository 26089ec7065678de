using System;
using System.Buffers;
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
/// reported; what is left of a partly sent file is written back first. Files it cannot read are moved aside.
/// </summary>
internal sealed class Replayer
{
    static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);
    static readonly TimeSpan MinimumPause = TimeSpan.FromMilliseconds(20);

    readonly BufferDirectory _buffer;
    readonly RequestSender _sender;
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly DeliveryOptions _options;
    readonly ShutdownSignal _shutdown;
    readonly FormattedBatch _batch = new();
    readonly PooledBufferWriter _rewrite = new();
    readonly Task _running;

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
                    result = await ReplayOldestAsync().ConfigureAwait(false);
                    failures = result == Replay.Deferred ? failures + 1 : 0;
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
            _batch.Dispose();
            _rewrite.Dispose();
            _sender.Dispose();
        }
    }

    async Task<Replay> ReplayOldestAsync()
    {
        foreach (var path in _buffer.Files())
        {
            using var claimed = BufferDirectory.TryClaim(path);
            if (claimed == null)
                continue; // another process or logger is sending it, or it is gone

            _batch.Clear();
            var problem = Read(claimed);
            if (problem != null)
            {
                var aside = _buffer.MoveAside(claimed);
                _reporter.Warn($"The durable buffer file {path} has {problem}: it was not sent and is kept as {aside}");
                return Replay.Delivered;
            }

            var outcome = await _sender.SendAsync(_batch).ConfigureAwait(false);
            _statistics.AddReplayed(outcome.Delivered);
            if (!outcome.Deferred)
            {
                claimed.Delete();
                return Replay.Delivered;
            }

            var left = _batch.UnresolvedSet();
            if (left.Count < _batch.Count && _buffer.TryRewrite(path, _batch, left, _rewrite) == null)
                claimed.Delete(); // what was delivered or reported is not sent again
            return Replay.Deferred;
        }

        return Replay.Nothing;
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
            return BufferFile.TryRead(contents, read, _batch);
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
