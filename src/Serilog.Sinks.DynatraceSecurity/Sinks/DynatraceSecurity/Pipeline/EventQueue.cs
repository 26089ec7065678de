using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Delivery;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// The events waiting for the delivery loop, each with the size estimated once when it was logged. Written by any
/// number of logging threads, read by the one delivery loop. While the loop waits for a batch to fill, it is woken once,
/// when <c>batchSizeLimit</c> events are waiting (or the time is up), never once per event.
/// </summary>
internal sealed class EventQueue
{
    readonly Channel<QueuedEvent> _channel = Channel.CreateUnbounded<QueuedEvent>(new UnboundedChannelOptions
    {
        SingleReader = true,
        AllowSynchronousContinuations = false,
    });
    readonly int _batchSizeLimit;
    int _count;
    TaskCompletionSource<bool>? _full;

    public EventQueue(int batchSizeLimit)
    {
        _batchSizeLimit = batchSizeLimit;
    }

    /// <summary>Adds an event; false only once the queue has been completed.</summary>
    public bool TryAdd(LogEvent logEvent, long size)
    {
        if (!_channel.Writer.TryWrite(new QueuedEvent(logEvent, size)))
            return false;
        if (Interlocked.Increment(ref _count) == _batchSizeLimit)
            Volatile.Read(ref _full)?.TrySetResult(true);
        return true;
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
    /// Waits until <c>batchSizeLimit</c> events are waiting, <paramref name="limit"/> has passed, or
    /// <paramref name="cancellation"/> fires (shutdown), whichever is first.
    /// </summary>
    public async Task WaitForBatchAsync(TimeSpan limit, TimeProvider time, CancellationToken cancellation)
    {
        var full = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Publish the signal before looking at the count: a producer that reaches the limit after this sees it.
        Interlocked.Exchange(ref _full, full);
        try
        {
            if (Volatile.Read(ref _count) >= _batchSizeLimit)
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

    static void Signal(object? full) => ((TaskCompletionSource<bool>)full!).TrySetResult(true);

    /// <summary>Takes up to <paramref name="limit"/> waiting events into <paramref name="batch"/>; returns their estimated bytes.</summary>
    public long Take(List<LogEvent> batch, int limit)
    {
        long bytes = 0;
        var taken = 0;
        while (taken < limit && _channel.Reader.TryRead(out var queued))
        {
            batch.Add(queued.Event);
            bytes += queued.Size;
            taken++;
        }

        Interlocked.Add(ref _count, -taken);
        return bytes;
    }

    readonly struct QueuedEvent
    {
        public QueuedEvent(LogEvent logEvent, long size)
        {
            Event = logEvent;
            Size = size;
        }

        public LogEvent Event { get; }
        public long Size { get; }
    }
}
