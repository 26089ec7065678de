using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Serilog.Sinks.DynatraceSecurity.Tests.Undelivered;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Pipeline;

public class DisposalTests
{
    [Fact]
    public async Task EveryEventLoggedWhileAndAfterDisposalIsReportedAndSelfLogGetsTheWholeCount()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        // SelfLog summarises refusals at most every 10 s; a fake clock lets the test move past the last one's interval.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sink = new SecurityEventFrontSink(SinkSettings.From(TestOptions.Create(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = receiver.AccessToken;
            o.BufferingTimeLimit = TimeSpan.FromMilliseconds(20);
            o.QueueLimit = 2000; // writers running flat out: keep what disposal delivers small
        })), clock, Backoff.Default);
        var listener = new RecordingListener();
        var logger = new LoggerConfiguration().WriteTo.Fallible(wt => wt.Sink(sink), listener).CreateLogger();

        var next = 0;
        var stop = 0;
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var security = logger.ForSecurityEvent();
            while (Volatile.Read(ref stop) == 0)
                security.Warning("Event {N}", Interlocked.Increment(ref next));
        })).ToArray();

        await receiver.WaitForEventsAsync(1000, TimeSpan.FromSeconds(15));
        await logger.DisposeAsync();
        var afterDisposal = Volatile.Read(ref next);
        Eventually.True(() => Volatile.Read(ref next) > afterDisposal + 1000, TimeSpan.FromSeconds(15), "the writers go on after disposal");
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(writers);
        clock.Advance(Summary.Interval); // the last summary's interval ends: its count is written without another event

        var logged = Volatile.Read(ref next);
        var received = receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).ToList();
        var reported = listener.Numbers.ToList();
        received.Should().OnlyHaveUniqueItems();
        reported.Should().OnlyHaveUniqueItems("each event is reported once");
        received.Concat(reported).Order().SequenceEqual(Enumerable.Range(1, logged)).Should().BeTrue("every event is delivered or reported, not both");

        var afterDisposalReported = listener.Count("Logged after the logger was disposed");
        afterDisposalReported.Should().BeGreaterThan(1000, "the listener still takes events once the sink's disposal has finished");
        var summarized = SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority)
            .Select(l => Regex.Match(l, @"(\d+) security event\(s\) logged (while the logger was being disposed|after the logger was disposed) were not sent"))
            .Where(m => m.Success)
            .Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        summarized.Should().Be(listener.Count("Logged while the logger was being disposed") + afterDisposalReported,
            "SelfLog counts every event logged while or after the logger was disposed");
    }

    [Fact]
    public async Task AnEventLoggedAfterDisposalIsCountedInSelfLogAtOnce()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = new LoggerConfiguration()
            .WriteTo.DynatraceSecurity(receiver.EnvironmentUrl.ToString(), receiver.AccessToken, "after.disposal")
            .CreateLogger();
        logger.ForSecurityEvent().Warning("delivered");
        await logger.DisposeAsync();

        logger.ForSecurityEvent().Warning("too late");

        SelfLogCapture.Containing("after.disposal").Should().Contain(l => l.Contains("1 security event(s) logged after the logger was disposed were not sent"));
        receiver.Events.Should().ContainSingle();
    }

    internal sealed class RecordingListener : ILoggingFailureListener
    {
        readonly ConcurrentQueue<(string Message, int N)> _reports = new();

        public IEnumerable<int> Numbers => _reports.Select(r => r.N);

        public int Count(string messageStart) => _reports.Count(r => r.Message.StartsWith(messageStart, StringComparison.Ordinal));

        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
        {
            if (kind == LoggingFailureKind.Temporary || events == null)
                return;
            foreach (var logEvent in events)
                _reports.Enqueue((message, (int)((ScalarValue)logEvent.Properties["N"]).Value!));
        }
    }
}

/// <summary>Disposal while writers log at a steady rate, with a second sink that takes its time: run alone.</summary>
[Collection(TimingCollection.Name)]
public sealed class DisposalTimingTests : IDisposable
{
    const int Writers = 4;
    const int EventsPerSecondEach = 10_000;
    readonly TemporaryDirectory _directory = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryEventLoggedBeforeDisposeReturnedIsDeliveredOrReported(bool withUndeliveredEventsFile)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var path = Path.Combine(_directory.Path, "undelivered.jsonl");
        var listener = new DisposalTests.RecordingListener();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(wt => wt.DynatraceSecurity(o =>
            {
                o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
                o.AccessToken = receiver.AccessToken;
                o.BufferingTimeLimit = TimeSpan.FromMilliseconds(50);
                o.ShutdownTimeout = TimeSpan.FromSeconds(1); // on a busy machine the backlog is reported rather than sent
                o.EnrichmentDirectory = "none";
                if (withUndeliveredEventsFile)
                    o.UndeliveredEventsPath = path;
            }), listener)
            .WriteTo.Sink(new SlowToFlushSink())
            .CreateLogger();

        // Warm: the writers' steady rate is then delivered as it comes, and disposal starts without a backlog.
        logger.ForSecurityEvent().Warning("Event {N}", 0);
        await receiver.WaitForEventsAsync(1, TimeSpan.FromSeconds(15));
        var next = 0;
        var stop = 0;
        var disposeReturned = 0;
        var beforeDisposeReturned = new ConcurrentQueue<int>();
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Factory.StartNew(() =>
        {
            var security = logger.ForSecurityEvent();
            var clock = Stopwatch.StartNew();
            long logged = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                if (logged >= clock.Elapsed.TotalSeconds * EventsPerSecondEach)
                {
                    Thread.Sleep(1);
                    continue;
                }

                var n = Interlocked.Increment(ref next);
                security.Warning("Event {N}", n);
                logged++;
                if (Volatile.Read(ref disposeReturned) == 0)
                    beforeDisposeReturned.Enqueue(n);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        await receiver.WaitForEventsAsync(4001, TimeSpan.FromSeconds(15));
        logger.Dispose();
        Volatile.Write(ref disposeReturned, 1);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(writers);

        var received = receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).ToHashSet();
        var reported = listener.Numbers.ToHashSet();
        received.Should().NotIntersectWith(reported, "an event is delivered or reported, not both");
        beforeDisposeReturned.Where(n => !received.Contains(n) && !reported.Contains(n)).Should().BeEmpty(
            "every event whose logging call returned before Dispose returned is delivered or reported");
        listener.Count("Logged after the logger was disposed").Should().BeGreaterThan(0,
            "events came while the second sink flushed, after this sink had finished its disposal");
        if (!withUndeliveredEventsFile)
            return;

        // Every report but those after the sink's disposal (the file was closed by then) went to the file too: it is in
        // the file, or SelfLog says how many were not written.
        listener.Count("Logged while the logger was being disposed").Should().BeGreaterThan(0);
        var givenToTheFile = reported.Count - listener.Count("Logged after the logger was disposed");
        Eventually.True(() => UndeliveredEventsFileTests.KeptOrCounted(path) >= givenToTheFile, TimeSpan.FromSeconds(15),
            "a count not yet written is written when its interval ends");
        UndeliveredEventsFileTests.KeptOrCounted(path).Should().Be(givenToTheFile);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>A sink whose disposal takes 50 ms, as a sink flushing to a slow disk or network does.</summary>
    sealed class SlowToFlushSink : ILogEventSink, IDisposable
    {
        public void Emit(LogEvent logEvent)
        {
        }

        public void Dispose() => Thread.Sleep(50);
    }
}
