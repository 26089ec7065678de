using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Events;

/// <summary>A summary arrives when its window ends while the app keeps running: the timer path, on wall time.</summary>
[Collection(TimingCollection.Name)]
public class SummaryTimerTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ASummaryArrivesWhenItsWindowEndsAndEveryOccurrenceIsCountedExactlyOnce()
    {
        await using var app = await FullApp.StartAsync(new AppCounters(), o =>
        {
            o.FloodControl.MaxEvents = 1;
            o.FloodControl.Window = TimeSpan.FromSeconds(1);
        });
        const int rejected = 5;
        for (var i = 0; i < FullApp.SearchPermits + rejected; i++)
            await app.GetAsync("/api/search", "203.0.113.71");

        // However the requests fell into one-second windows, a summary must come while the app runs.
        await WaitForAsync(app.Receiver, () => app.Receiver.Events.Any(e => e.Has("event.count")));
        await WaitForAsync(app.Receiver, () => Occurrences(app.Receiver) == rejected);

        (await app.StopAsync()).Should().NotBeEmpty();
        Occurrences(app.Receiver).Should().Be(rejected, "stopping writes no summary twice");
        app.ShouldAllBeAccepted();
    }

    static long Occurrences(DynatraceIngestReceiver receiver) =>
        receiver.Events.OfType("excess_rate_limit_exceeded").Sum(e => e.Long("event.count") ?? 1);

    static async Task WaitForAsync(DynatraceIngestReceiver receiver, Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Not within {Deadline.TotalSeconds} s; received: {string.Join("\n", receiver.Events)}");
            await receiver.WaitForEventsAsync(receiver.Events.Count + 1, TimeSpan.FromMilliseconds(200)).ContinueWith(_ => { });
        }
    }
}
