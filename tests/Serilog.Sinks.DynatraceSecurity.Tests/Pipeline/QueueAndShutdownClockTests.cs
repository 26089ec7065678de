using System;
using System.Linq;
using System.Text.RegularExpressions;
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
/// Variations of the end-to-end tests of a full queue and of bounded shutdown (DeliveryFailureTests,
/// DeliveryPolicyTimingTests), on a fake clock and a scripted transport: the byte limit and its SelfLog summaries, and
/// a shutdown that cuts a backoff short. Each sink has an endpoint of its own, so its SelfLog lines are its own.
/// </summary>
public sealed class QueueAndShutdownClockTests : IAsyncDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    readonly ScriptedTransport _transport;
    readonly string _name = "clock." + Guid.NewGuid().ToString("N");
    readonly CollectingSink _fallback = new();
    Logger? _logger;
    SinkMetrics? _metrics;

    public QueueAndShutdownClockTests() => _transport = new ScriptedTransport(_clock);

    Logger Start(Action<DynatraceSecuritySinkOptions> configure)
    {
        var sink = new SecurityEventFrontSink(SinkSettings.From(TestOptions.Create(o =>
        {
            o.Endpoint = _name;
            o.MessageHandler = _transport;
            configure(o);
        })), _clock, Backoff.Default);
        _metrics = new SinkMetrics(sink.Statistics.Meter);
        _logger = new LoggerConfiguration().WriteTo.FallbackChain(wt => wt.Sink(sink), wt => wt.Sink(_fallback)).CreateLogger();
        return _logger;
    }

    string[] SelfLogLines(string containing) => SelfLogCapture.Containing(_name).Where(l => l.Contains(containing)).ToArray();

    [Fact]
    public async Task TheByteLimitOfTheQueueDropsAndReportsWithOneSelfLogSummaryPerInterval()
    {
        _transport.Hold(); // the first request hangs: nothing leaves the queue while the test logs
        var logger = Start(o =>
        {
            o.QueueLimitBytes = 20_000;
            o.BatchSizeLimit = 1;
        });
        var marker = Guid.NewGuid().ToString("N");

        for (var i = 0; i < 500; i++)
            logger.ForSecurityEvent().Warning("Event {N} {Padding}", i, marker + new string('q', 1000));

        var dropped = _fallback.Events;
        dropped.Count.Should().BeGreaterThan(450, "each event is estimated at over 1 KB and the queue holds 20 KB");
        _metrics!.Dropped(DropReason.QueueFull).Should().Be(dropped.Count);
        SinkHarness.Numbers(dropped).Concat(Enumerable.Range(0, 500 - dropped.Count)).Should().BeEquivalentTo(Enumerable.Range(0, 500),
            "the first events are queued, every later one is reported");
        const string summary = "dropped because the queue was full (queueLimitBytes)";
        SelfLogLines(summary).Should().ContainSingle("the first refusal is written at once, the others when the interval ends");

        _clock.Advance(Summary.Interval);

        Eventually.True(() => SelfLogLines(summary).Length == 2, Deadline, "the count waiting is written when its interval ends");
        SelfLogLines(summary).Sum(l => int.Parse(Regex.Match(l, @"(\d+) security event\(s\) dropped because").Groups[1].Value))
            .Should().Be(dropped.Count, "every refusal is counted in a summary, none gets a line of its own");
        SelfLogCapture.Containing(marker).Should().BeEmpty("payloads never reach SelfLog");
        _transport.Release();
    }

    [Fact]
    public async Task ShutdownWithTheEndpointFailingReportsEverythingAsFinalWithoutWaitingOutTheBackoff()
    {
        _transport.Script(Enumerable.Repeat(503, 10).ToArray());
        var logger = Start(o => o.BatchSizeLimit = 10);

        for (var i = 0; i < 35; i++)
            logger.ForSecurityEvent().Warning("Event {N}", i);
        Eventually.True(() => SelfLogLines("Attempt 1 failed").Length > 0, Deadline, "the first attempt failed and its backoff began");

        // The clock stands still: only disposal can end the backoff's wait.
        await logger.DisposeAsync().AsTask().WaitAsync(Deadline);

        _transport.Calls.Should().HaveCount(2, "one last attempt, which failed: nothing more is sent");
        SinkHarness.Numbers(_fallback.Events).Should().BeEquivalentTo(Enumerable.Range(0, 35));
        _metrics!.Dropped(DropReason.Shutdown).Should().Be(35);
    }

    public async ValueTask DisposeAsync()
    {
        _transport.Release();
        if (_logger != null)
            await _logger.DisposeAsync();
        _metrics?.Dispose();
    }
}
