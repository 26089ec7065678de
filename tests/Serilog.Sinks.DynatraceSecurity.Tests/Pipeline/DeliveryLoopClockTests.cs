using System;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Pipeline;

/// <summary>
/// How the front sink's delivery loop gathers batches, on a fake clock: the first event at once, then a batch when
/// <c>batchSizeLimit</c> events wait or <c>bufferingTimeLimit</c> has passed, and no waiting at all once disposal began.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class DeliveryLoopClockTests : IAsyncDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    readonly ScriptedTransport _transport;
    readonly SecurityEventFrontSink _sink;
    readonly Logger _logger;

    public DeliveryLoopClockTests()
    {
        _transport = new ScriptedTransport(_clock);
        var settings = SinkSettings.From(TestOptions.Create(o =>
        {
            o.BatchSizeLimit = 10;
            o.BufferingTimeLimit = TimeSpan.FromSeconds(5);
            o.MessageHandler = _transport;
        }));
        _sink = new SecurityEventFrontSink(settings, _clock, Backoff.Default);
        _logger = new LoggerConfiguration().WriteTo.Sink(_sink).CreateLogger();
    }

    void Log(int from, int count)
    {
        for (var i = from; i < from + count; i++)
            _logger.ForSecurityEvent().Warning("Event {N}", i);
    }

    /// <summary>
    /// Moves the fake clock on a second at a time, giving the loop a moment of real time after each, until
    /// <paramref name="done"/>; returns how far the clock moved. (A second is a fifth of the buffering time: fine enough
    /// to see that the loop waited for it, coarse enough that a busy machine spends little real time here.)
    /// </summary>
    TimeSpan AdvanceUntil(Func<bool> done)
    {
        var moved = TimeSpan.Zero;
        var step = TimeSpan.FromSeconds(1);
        while (!done())
        {
            moved.Should().BeLessThan(TimeSpan.FromMinutes(1), "the loop acts within a minute of fake time");
            _clock.Advance(step);
            moved += step;
            var until = DateTime.UtcNow.AddMilliseconds(20);
            while (!done() && DateTime.UtcNow < until)
                System.Threading.Thread.Yield();
        }

        return moved;
    }

    int[] EventsOfCall(int call) =>
        JsonDocument.Parse(Encoding.UTF8.GetString(_transport.Calls[call].Body)).RootElement.EnumerateArray()
            .Select(e => e.GetProperty("N").GetInt32()).ToArray();

    [Fact]
    public void TheFirstEventGoesAtOnceAndTheNextWaitsForTheBufferingTimeLimit()
    {
        Log(0, 1);
        Eventually.True(() => _transport.Calls.Count == 1, Deadline, "the first event is sent without waiting");

        Log(1, 3);
        AdvanceUntil(() => _transport.Calls.Count == 2);

        // When the loop began to wait is up to the thread pool; that it waited the full time is not.
        (_transport.Calls[1].At - _transport.Calls[0].At).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5),
            "the batch waits for bufferingTimeLimit");
        EventsOfCall(1).Should().Equal(1, 2, 3);
    }

    [Fact]
    public void AFullBatchGoesWithoutWaitingForTheTime()
    {
        Log(0, 1);
        Eventually.True(() => _transport.Calls.Count == 1, Deadline, "the first event is sent");

        Log(1, 25);
        Eventually.True(() => _transport.Calls.Count == 3, Deadline, "two full batches of 10 go at once");
        EventsOfCall(1).Should().Equal(Enumerable.Range(1, 10));
        EventsOfCall(2).Should().Equal(Enumerable.Range(11, 10));
        _transport.Calls.Select(c => c.At).Distinct().Should().ContainSingle("the clock never moved");

        AdvanceUntil(() => _transport.Calls.Count == 4).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5), "the rest goes when the time is up");
        EventsOfCall(3).Should().Equal(Enumerable.Range(21, 5));
    }

    [Fact]
    public void ABacklogGoesOneRequestAtATimeInOrder()
    {
        // One request at a time, in order: while one hangs, the next waits for its answer.
        _transport.Hold();
        Log(0, 1);
        Eventually.True(() => _transport.Calls.Count == 1, Deadline, "the first event is sent");
        Log(1, 30);

        System.Threading.SpinWait.SpinUntil(() => _transport.Calls.Count > 1, TimeSpan.FromMilliseconds(300))
            .Should().BeFalse("the next request waits for the answer to the one in flight");
        _transport.Release();

        Eventually.True(() => _transport.Calls.Count == 4, Deadline, "the backlog goes in three full batches at once");
        Enumerable.Range(0, 4).SelectMany(EventsOfCall).Should().Equal(Enumerable.Range(0, 31), "in the order logged");
    }

    [Fact]
    public async Task DisposalSendsWhatIsQueuedWithoutWaitingForTheTime()
    {
        Log(0, 1);
        Eventually.True(() => _transport.Calls.Count == 1, Deadline, "the first event is sent");
        Log(1, 4);

        await _logger.DisposeAsync().AsTask().WaitAsync(Deadline);

        _transport.Calls.Should().HaveCount(2);
        EventsOfCall(1).Should().Equal(1, 2, 3, 4);
    }

    public async ValueTask DisposeAsync() => await _logger.DisposeAsync();
}
