using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

public class RequestSizeTests
{
    [Fact]
    public async Task NoRequestBodyExceedsTheByteLimitAndLargeBatchesAreSplit()
    {
        const int limit = 4096;
        await using var harness = await SinkHarness.StartAsync(
            o =>
            {
                o.BatchSizeLimitBytes = limit;
                o.BatchSizeLimit = 500;
                o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
            },
            // The receiver enforces the same limit: a larger body would be answered 413.
            new DynatraceIngestReceiverOptions { MaxRequestBytes = limit });

        harness.LogNumbered(300, padding: new string('p', 200));
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().Equal(Enumerable.Range(0, 300));
        harness.Receiver.Requests.Should().OnlyContain(r => r.StatusCode == 202 && r.Body.Length <= limit);
        harness.Receiver.Requests.Count.Should().BeGreaterThan(20, "300 events of ~1 KB need many 4 KB requests");
        // Requests are filled, not cut early: all but the last of a batch are within one event of the limit.
        var largestEvent = harness.Receiver.Events.Max(e => e.ToString().Length);
        harness.Receiver.Requests.Max(r => r.Body.Length).Should().BeGreaterThan(limit - largestEvent - 1);
    }

    [Fact]
    public async Task AnEventLargerThanTheEventLimitIsTruncatedToFitAndDelivered()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.BatchSizeLimitBytes = 2048;
            o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
        });

        var security = harness.Security();
        security.Warning("Event {N} {Padding}", 0, "small");
        security.Warning("Event {N} {Padding} {Tail}", 1, new string('x', 5000), "\U0001F600" + new string('y', 3000));
        security.Warning("Event {N} {Padding}", 2, "small");
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().Equal(0, 1, 2);
        harness.Receiver.Requests.Should().OnlyContain(r => r.Body.Length <= 2048);
        var truncated = harness.Receiver.Events[1];
        truncated.Json.GetProperty("serilog.truncated").GetBoolean().Should().BeTrue();
        truncated.GetString("Padding").Should().StartWith("xxxx").And.EndWith("…");
        truncated.GetString("Padding")!.Length.Should().BeLessThan(2048);
        truncated.GetString("event.id").Should().MatchRegex("^[0-9a-f]{32}$");
        harness.Receiver.Events[0].Json.TryGetProperty("serilog.truncated", out _).Should().BeFalse();
        harness.Fallback.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task AnEventThatCannotBeCutToFitIsReportedWithoutItsPayloadAndTheRestDelivered()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.BatchSizeLimitBytes = 2048;
            o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
        });

        var security = harness.Security();
        security.Warning("Event {N}", 0);
        security.ForContext("Numbers", Enumerable.Range(0, 2000).ToArray()).Warning("Event {N}", 1);
        security.Warning("Event {N}", 2);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().Equal(0, 2);
        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(1);
        harness.Metrics.Dropped(DropReason.TooLarge).Should().Be(1);
        SelfLogCapture.Containing("does not fit eventBodyLimitBytes").Should().NotBeEmpty()
            .And.NotContain(l => l.Contains("1999"), "payloads are never echoed into SelfLog");
    }
}
