using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Http;

public class CompressionTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    internal static bool IsGzip(ReceivedRequest request) =>
        request.Headers.TryGetValue("content-encoding", out var encoding) && encoding == "gzip";

    /// <summary>The sink's "compression is now off" warnings for one endpoint (SelfLog is shared by every test).</summary>
    static string[] CompressionOffWarnings(string endpoint) =>
        SelfLogCapture.Containing(endpoint).Where(l => l.Contains("compression is now off")).ToArray();

    static long WireLength(ReceivedRequest request) => long.Parse(request.Headers["content-length"]);

    [Fact]
    public async Task WithGzipBodiesGoCompressedAndArriveWhole()
    {
        await using var harness = await SinkHarness.StartAsync(
            o =>
            {
                o.Compression = DynatraceSecurityCompression.Gzip;
                o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
            },
            new DynatraceIngestReceiverOptions { AcceptGzip = true });

        harness.LogNumbered(200, padding: "the same words again and again");
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(0, 200));
        harness.Fallback.Events.Should().BeEmpty();
        harness.Receiver.Requests.Should().OnlyContain(r => IsGzip(r) && r.StatusCode == 202);
        var batch = harness.Receiver.Requests.OrderByDescending(r => r.Body.Length).First();
        WireLength(batch).Should().BeLessThan(batch.Body.Length / 4, "JSON events compress well");
    }

    [Fact]
    public async Task WithoutCompressionNothingIsEncoded()
    {
        await using var harness = await SinkHarness.StartAsync(receiverOptions: new DynatraceIngestReceiverOptions { AcceptGzip = true });

        harness.LogNumbered(5);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().HaveCount(5);
        harness.Receiver.Requests.Should().OnlyContain(r => !r.Headers.ContainsKey("content-encoding"));
    }

    [Fact]
    public async Task AnEndpointThatRefusesGzipGetsTheSameEventsPlainAndCompressionTurnsOffWithOneWarning()
    {
        // The receiver's default follows the documented contract: a compressed body is answered 400.
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.Compression = DynatraceSecurityCompression.Gzip;
            o.Endpoint = "gzip.refused";
        });

        harness.LogNumbered(1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);
        harness.LogNumbered(30);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().HaveCount(31);
        harness.Fallback.Events.Should().BeEmpty("nothing is lost because of the compression setting");
        var requests = harness.Receiver.Requests;
        requests.Where(IsGzip).Should().ContainSingle("after one refusal the sink stops compressing")
            .Which.StatusCode.Should().Be(400);
        requests.Where(r => !IsGzip(r)).Should().OnlyContain(r => r.StatusCode == 202);
        CompressionOffWarnings("gzip.refused").Should().ContainSingle();
    }

    [Fact]
    public async Task A415ToGzipAlsoTurnsCompressionOff()
    {
        await using var harness = await SinkHarness.StartAsync(
            o =>
            {
                o.Compression = DynatraceSecurityCompression.Gzip;
                o.Endpoint = "gzip.unsupported";
            },
            new DynatraceIngestReceiverOptions { AcceptGzip = true });
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(415));

        harness.LogNumbered(1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);
        harness.LogNumbered(3);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().HaveCount(4);
        harness.Fallback.Events.Should().BeEmpty();
        harness.Receiver.Requests.Where(IsGzip).Should().ContainSingle().Which.StatusCode.Should().Be(415);
        CompressionOffWarnings("gzip.unsupported").Should().ContainSingle();
    }

    [Fact]
    public async Task A400ForTheContentIsStillBisectedAndCompressionStaysOn()
    {
        var receiverOptions = new DynatraceIngestReceiverOptions
        {
            AcceptGzip = true,
            ValidateEvent = e => e.GetProperty("N").GetInt32() is 0 or 7 ? "attribute N has a forbidden value" : null,
        };
        await using var harness = await SinkHarness.StartAsync(
            o =>
            {
                o.Compression = DynatraceSecurityCompression.Gzip;
                o.Endpoint = "gzip.content.rejected";
                o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
            },
            receiverOptions);

        // Until a compressed request has been accepted, a 400 could be about gzip: each refused compressed request is
        // asked once more uncompressed, the plain answer (400 here: the content is the problem) drives the bisection,
        // and compression stays on.
        harness.LogNumbered(20);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(1, 19).Where(n => n != 7));
        SinkHarness.Numbers(harness.Fallback.Events).Should().BeEquivalentTo(new[] { 0, 7 });
        harness.Receiver.Requests.Where(r => r.StatusCode == 202).Should().NotBeEmpty()
            .And.OnlyContain(r => IsGzip(r), "compression was never the problem");
        harness.Receiver.Requests.Where(r => !IsGzip(r)).Should().NotBeEmpty()
            .And.OnlyContain(r => r.StatusCode == 400, "only refusals are asked again uncompressed");
        CompressionOffWarnings("gzip.content.rejected").Should().BeEmpty();
    }

    [Fact]
    public async Task AGenericRefusalOfGzipIsNotMistakenForTheContentWhenTheFirstBatchAlsoHoldsABadEvent()
    {
        // An endpoint that refuses gzip with the same message it gives for bad content (here the receiver's own gzip
        // refusal text is also what it says about event 3): the first batch holds the bad event, so the compressed
        // request and its plain resend are refused alike. The sink must keep checking, find out from the good half,
        // and deliver everything but the bad event.
        const string Message = "Unsupported Content-Encoding 'gzip'; the local receiver accepts uncompressed JSON only.";
        var receiverOptions = new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.GetProperty("N").GetInt32() == 3 ? Message : null,
        };
        await using var harness = await SinkHarness.StartAsync(
            o =>
            {
                o.Compression = DynatraceSecurityCompression.Gzip;
                o.Endpoint = "gzip.generic.refusal";
                o.BufferingTimeLimit = TimeSpan.FromMinutes(5);
            },
            receiverOptions);

        harness.LogNumbered(20);
        await harness.Logger.DisposeAsync();

        harness.ReceivedNumbers().Should().BeEquivalentTo(Enumerable.Range(0, 20).Where(n => n != 3));
        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(3);
        CompressionOffWarnings("gzip.generic.refusal").Should().ContainSingle();
    }
}

[Collection(TimingCollection.Name)]
public class CompressionTimingTests
{
    [Fact]
    public async Task TheUncompressedResendSharesTheRequestTimeoutSoOneAttemptStaysBounded()
    {
        // The refusal comes 1.5 s before the timeout, so that a busy machine still sees it in time.
        var requestTimeout = TimeSpan.FromSeconds(4);
        await using var harness = await SinkHarness.StartAsync(
            o =>
            {
                o.Compression = DynatraceSecurityCompression.Gzip;
                o.RequestTimeout = requestTimeout;
            },
            new DynatraceIngestReceiverOptions { AcceptGzip = true });
        // A slow refusal of gzip, then a plain resend that never gets an answer; the retry after that is accepted.
        harness.Receiver.EnqueueResponse(new ScriptedResponse { StatusCode = 415, Delay = TimeSpan.FromSeconds(2.5) });
        harness.Receiver.EnqueueResponse(ScriptedResponse.Hang(Timeout.InfiniteTimeSpan));

        harness.Security().Warning("Event {N} {Padding}", 1, new string('p', 2000));
        await harness.Receiver.WaitForEventsAsync(1, TimeSpan.FromSeconds(20));

        var requests = harness.Receiver.Requests;
        requests.Select(CompressionTests.IsGzip).Take(2).Should().Equal(true, false);
        (requests[2].ReceivedAt - requests[0].ReceivedAt).Should().BeLessThan(requestTimeout + TimeSpan.FromSeconds(1.5),
            "the gzip attempt and its plain resend together get one requestTimeout (separately they would take 2.5 s + 4 s)");
    }
}
