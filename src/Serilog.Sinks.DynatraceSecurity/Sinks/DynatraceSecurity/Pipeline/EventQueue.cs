using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// The security events waiting to be delivered or reported, each with its size estimated once when it was logged,
/// within <c>queueLimit</c> and <c>queueLimitBytes</c>: the limits are enforced here, where every refusal is counted and
/// reported (Serilog's own bounded queue drops silently when full). Written by any number of logging threads, read by
/// the one delivery loop; an event counts until the loop has delivered or reported it (<see cref="Release"/>). While
/// the loop waits for a batch to fill, it is woken once, when <c>batchSizeLimit</c> events are waiting (or the time is
/// up), never once per event.
/// </summary>
internal sealed class EventQueue
{
    // The estimate's constants: the built-in fields (timestamp, ids, kind, type, severity...) and JSON punctuation;
    // beyond MaximumDepth and MaximumItems, a constant per item.
    const int Overhead = 320;
    const int ExceptionEstimate = 2048;
    const int ScalarEstimate = 16;
    const int MaximumDepth = 4;
    const int MaximumItems = 64;

    readonly Channel<(LogEvent Event, long Size)> _channel = Channel.CreateUnbounded<(LogEvent, long)>(new UnboundedChannelOptions
    {
        SingleReader = true,
        AllowSynchronousContinuations = false,
    });
    readonly int _batchSizeLimit;
    readonly int _countLimit;
    readonly long _byteLimit;
    int _pending;
    long _pendingBytes;
    TaskCompletionSource<bool>? _full;
    TaskCompletionSource<bool>? _halfFull;

    public EventQueue(int batchSizeLimit, int countLimit, long byteLimit)
    {
        _batchSizeLimit = batchSizeLimit;
        _countLimit = countLimit;
        _byteLimit = byteLimit;
    }

    /// <summary>The events waiting or being delivered (the <c>queue.length</c> metric).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Their estimated bytes (the <c>queue.size</c> metric).</summary>
    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    /// <summary>The limit the queue is more than half full by (<c>queueLimit</c> or <c>queueLimitBytes</c>), or null.</summary>
    public string? MoreThanHalfFullBy() =>
        Pending > _countLimit / 2 ? "queueLimit" : PendingBytes > _byteLimit / 2 ? "queueLimitBytes" : null;

    /// <summary>Queues the event, or says which limit refused it (null when queued); never after <see cref="Complete"/>.</summary>
    public string? TryAdd(LogEvent logEvent)
    {
        var size = Estimate(logEvent);
        var pending = Interlocked.Increment(ref _pending);
        if (pending > _countLimit)
        {
            Interlocked.Decrement(ref _pending);
            return "queueLimit";
        }

        var pendingBytes = Interlocked.Add(ref _pendingBytes, size);
        if (pendingBytes > _byteLimit)
        {
            Interlocked.Add(ref _pendingBytes, -size);
            Interlocked.Decrement(ref _pending);
            return "queueLimitBytes";
        }

        _channel.Writer.TryWrite((logEvent, size));
        // Their continuations run on the pool, not on this logging thread.
        if (pending >= _batchSizeLimit)
            Volatile.Read(ref _full)?.TrySetResult(true);
        if (pendingBytes >= _byteLimit / 2 || pending >= _countLimit / 2)
            Volatile.Read(ref _halfFull)?.TrySetResult(true);
        return null;
    }

    /// <summary>No more events will be added; the loop drains what is left.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Waits until an event is waiting; false when the queue is completed and empty.</summary>
    public async ValueTask<bool> WaitForEventAsync()
    {
        while (!_channel.Reader.TryPeek(out _))
        {
            if (!await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
                return false;
        }

        return true;
    }

    /// <summary>
    /// Waits until <c>batchSizeLimit</c> events are waiting, <paramref name="limit"/> has passed, or shutdown begins.
    /// Called between batches, when every event counted is waiting (none is being delivered).
    /// </summary>
    public async Task WaitForBatchAsync(TimeSpan limit, TimeProvider time, CancellationToken cancellation)
    {
        var full = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Publish the signal before looking at the count: a producer that reaches the limit after this sees it.
        Interlocked.Exchange(ref _full, full);
        try
        {
            if (Volatile.Read(ref _pending) >= _batchSizeLimit)
                return;
            // The timer and the cancellation complete the same signal as a full batch: whichever comes first wakes the
            // loop once. (A cancelled delay task instead threw an exception and woke a second thread-pool thread for
            // every batch that filled before its time was up.)
            using var timer = time.CreateTimer(Signal, full, limit, Timeout.InfiniteTimeSpan);
            using var stop = cancellation.Register(Signal, full);
            await full.Task.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _full, null);
        }
    }

    /// <summary>
    /// Completes when the queue is at least half full by either limit (durable, a hanging request is then given up for
    /// the buffer). One waiter at a time: a new call replaces the previous signal.
    /// </summary>
    public Task HalfFull()
    {
        var signal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _halfFull, signal);
        if (Pending >= _countLimit / 2 || PendingBytes >= _byteLimit / 2)
            signal.TrySetResult(true);
        return signal.Task;
    }

    static void Signal(object? full) => ((TaskCompletionSource<bool>)full!).TrySetResult(true);

    /// <summary>Takes up to <paramref name="limit"/> waiting events into <paramref name="batch"/>; returns their estimated bytes.</summary>
    public long Take(List<LogEvent> batch, int limit)
    {
        long bytes = 0;
        while (batch.Count < limit && _channel.Reader.TryRead(out var queued))
        {
            batch.Add(queued.Event);
            bytes += queued.Size;
        }

        return bytes;
    }

    /// <summary>The loop has delivered or reported <paramref name="count"/> events taken earlier, of <paramref name="bytes"/>.</summary>
    public void Release(int count, long bytes)
    {
        Interlocked.Add(ref _pending, -count);
        Interlocked.Add(ref _pendingBytes, -bytes);
    }

    /// <summary>
    /// How many bytes the event will take, for <c>queueLimitBytes</c>, estimated without formatting. Deterministic, so
    /// that it can be released exactly: strings count their length, other scalars and an exception a constant.
    /// </summary>
    public static long Estimate(LogEvent logEvent)
    {
        long size = Overhead + logEvent.MessageTemplate.Text.Length;
        if (logEvent.Exception != null)
            size += ExceptionEstimate;

        // On the logging thread: Serilog 4 keeps the properties in a Dictionary, enumerated without boxing an enumerator
        // (the same one loop as SecurityEventFormatter.Write).
        var properties = logEvent.Properties as Dictionary<string, LogEventPropertyValue> ??
                         logEvent.Properties.ToDictionary(property => property.Key, property => property.Value);
        foreach (var property in properties)
            size += property.Key.Length + 4 + Estimate(property.Value, 0);

        return size;
    }

    static long Estimate(LogEventPropertyValue value, int depth)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                return text.Length + 2;
            case ScalarValue:
                return ScalarEstimate;
            case SequenceValue { Elements: var elements }:
            {
                if (depth >= MaximumDepth)
                    return elements.Count * ScalarEstimate;
                long size = 2;
                for (var i = 0; i < elements.Count; i++)
                    size += i >= MaximumItems ? ScalarEstimate : Estimate(elements[i], depth + 1) + 1;
                return size;
            }

            case StructureValue structure:
            {
                if (depth >= MaximumDepth)
                    return structure.Properties.Count * ScalarEstimate * 2;
                long size = 2;
                var properties = structure.Properties;
                for (var i = 0; i < properties.Count; i++)
                {
                    size += i >= MaximumItems
                        ? ScalarEstimate * 2
                        : properties[i].Name.Length + 4 + Estimate(properties[i].Value, depth + 1);
                }

                return size;
            }
            case DictionaryValue dictionary:
            {
                if (depth >= MaximumDepth)
                    return dictionary.Elements.Count * ScalarEstimate * 2;
                long size = 2;
                var items = 0;
                foreach (var entry in dictionary.Elements)
                {
                    size += ++items > MaximumItems
                        ? ScalarEstimate * 2
                        : Estimate(entry.Key, depth + 1) + Estimate(entry.Value, depth + 1);
                }

                return size;
            }
            default:
                return ScalarEstimate;
        }
    }
}
