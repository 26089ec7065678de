using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

/// <summary>400 answers: bisection isolates bad events, costs a bounded number of requests when every part is refused,
/// and reports what it found in a bounded number of SelfLog lines.</summary>
public class RejectionTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>After the eager first event, batches of exactly <paramref name="size"/> events: one request each.</summary>
    static Action<DynatraceSecuritySinkOptions> Batches(int size) => o =>
    {
        o.BatchSizeLimit = size;
        o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
    };

    /// <summary>
    /// Logs event -1, then <paramref name="count"/> numbered events while -1's request is held open, so that the
    /// engine takes them all as one batch (the next batch is gathered only after a request ends).
    /// </summary>
    static async Task LogOneBatchAfterTheFirstEventAsync(SinkHarness harness, int count)
    {
        harness.Receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromMilliseconds(300)));
        harness.Security().Warning("Event {N}", -1);
        await harness.Receiver.WaitForArrivalsAsync(1, Deadline);
        harness.LogNumbered(count);
    }

    static string[] SelfLogOf(SinkHarness harness) => SelfLogCapture.Containing(harness.Receiver.EnvironmentUrl.Authority);

    [Fact]
    public async Task WhenEveryPartIsRefusedTheBisectionStopsAfterOnePlusTwiceLogNRequests()
    {
        var receiverOptions = new DynatraceIngestReceiverOptions { ValidateEvent = _ => "blocked by a pipeline rule" };
        await using var harness = await SinkHarness.StartAsync(Batches(100), receiverOptions);

        await LogOneBatchAfterTheFirstEventAsync(harness, 100);
        await harness.Logger.DisposeAsync();

        SinkHarness.Numbers(harness.Fallback.Events).Should().BeEquivalentTo(Enumerable.Range(-1, 101), "every event is reported, once");
        harness.Metrics.Dropped(DropReason.Rejected).Should().Be(101);
        // 1 request for the first event; for the 100: 1 + 2·⌈log₂ 100⌉ = 15 (without the bound: 199).
        harness.Receiver.Requests.Count.Should().BeLessThanOrEqualTo(1 + 15);
        SelfLogOf(harness).Count(l => l.Contains("blocked by a pipeline rule")).Should().BeLessThanOrEqualTo(3,
            "the first event's line, and for the 100 one line for the parts refused and one for the rest not sent again");
    }

    [Fact]
    public async Task OneBadEventAmongManyIsIsolatedAndTheRestDelivered()
    {
        var receiverOptions = new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.GetProperty("N").GetInt32() == 77 ? "attribute N has a forbidden value" : null,
        };
        await using var harness = await SinkHarness.StartAsync(Batches(200), receiverOptions);

        await LogOneBatchAfterTheFirstEventAsync(harness, 200);
        await harness.Logger.DisposeAsync();

        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(77);
        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(-1, 201).Where(n => n != 77));
        // The first event; the batch; three probes; the rest, and 2·⌈log₂ 197⌉ to isolate the bad event in it.
        harness.Receiver.Requests.Count.Should().BeLessThanOrEqualTo(1 + 1 + 3 + 1 + 2 * 8, "one bad event costs about 2·⌈log₂ n⌉ requests more");
    }

    [Fact]
    public async Task ManyRejectedEventsInOneRequestMakeABoundedNumberOfSelfLogLines()
    {
        var receiverOptions = new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.GetProperty("N").GetInt32() % 3 == 0 ? $"event {e.GetProperty("N").GetInt32()} is refused" : null,
        };
        await using var harness = await SinkHarness.StartAsync(Batches(300), receiverOptions);

        await LogOneBatchAfterTheFirstEventAsync(harness, 300);
        await harness.Logger.DisposeAsync();

        SinkHarness.Numbers(harness.Fallback.Events).Should().BeEquivalentTo(Enumerable.Range(0, 300).Where(n => n % 3 == 0));
        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(-1, 301).Where(n => n % 3 != 0));
        var lines = SelfLogOf(harness).Where(l => l.Contains("is refused")).ToArray();
        lines.Should().ContainSingle("what a request's bisection found is one line, not 100");
        lines.Sum(l => int.Parse(Regex.Match(l, @"\((\d+) security event\(s\) dropped").Groups[1].Value)).Should().Be(100);
        lines.Should().OnlyContain(l => l.Contains(" | "), "each line has a sample of Dynatrace's messages");
    }

    [Fact]
    public async Task BadEventsThatComeTogetherDoNotMakeTheGoodOnesLookRefused()
    {
        // Bad events from one call site come together: the search must not spend its budget inside the cluster and
        // report the good events as refused.
        var receiverOptions = new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.GetProperty("N").GetInt32() is >= 0 and < 10 ? "event from a broken call site" : null,
        };
        await using var harness = await SinkHarness.StartAsync(Batches(100), receiverOptions);

        await LogOneBatchAfterTheFirstEventAsync(harness, 100);
        await harness.Logger.DisposeAsync();

        SinkHarness.Numbers(harness.Fallback.Events).Should().BeEquivalentTo(Enumerable.Range(0, 10));
        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(10, 90).Prepend(-1));
    }

    [Fact]
    public async Task WithGzipInDoubtARefusalOfEverythingStillCostsFewRequests()
    {
        var receiverOptions = new DynatraceIngestReceiverOptions { AcceptGzip = true, ValidateEvent = _ => "blocked by a pipeline rule" };
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            Batches(100)(o);
            o.Compression = DynatraceSecurityCompression.Gzip;
        }, receiverOptions);

        await LogOneBatchAfterTheFirstEventAsync(harness, 100);
        await harness.Logger.DisposeAsync();

        SinkHarness.Numbers(harness.Fallback.Events).Should().HaveCount(101);
        // The first event gzip and plain (2); the batch gzip and plain (2); three probes gzip and plain (6): gzip is in
        // doubt while no compressed request has been accepted, and nothing more after the probes (before: every part twice).
        harness.Receiver.Requests.Count.Should().BeLessThanOrEqualTo(2 + 2 + 6);
    }
}
