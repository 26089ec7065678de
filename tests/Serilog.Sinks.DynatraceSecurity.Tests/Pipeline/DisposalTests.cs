using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Pipeline;

public class DisposalTests
{
    [Fact]
    public async Task EveryEventLoggedWhileAndAfterDisposalIsAccountedFor()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var sink = new SecurityEventFrontSink(SinkSettings.From(TestOptions.Create(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = receiver.AccessToken;
            o.BufferingTimeLimit = TimeSpan.FromMilliseconds(20);
            o.QueueLimit = 2000; // writers running flat out: keep what disposal delivers small
        })));
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

        var logged = Volatile.Read(ref next);
        var received = receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).ToList();
        var reported = listener.Numbers.ToList();
        received.Should().OnlyHaveUniqueItems();
        reported.Should().OnlyHaveUniqueItems("each event is reported once");
        received.Intersect(reported).Should().BeEmpty("an event is delivered or reported, not both");

        var duringDisposal = listener.Count("Logged while the logger was being disposed");
        var countedOnly = sink.Statistics.Dropped(DropReason.LoggedAfterDisposal) - duringDisposal;
        var unaccounted = logged - received.Count - reported.Count;
        unaccounted.Should().Be((int)countedOnly,
            "events logged after disposal finished are counted (the listener's own sinks may be gone); every other one is delivered or reported");
        countedOnly.Should().BeGreaterThan(0);
        SelfLogCapture.Containing(receiver.EnvironmentUrl.Authority)
            .Should().Contain(l => l.Contains("logged while or after the logger was disposed were not sent"));
    }

    sealed class RecordingListener : ILoggingFailureListener
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
