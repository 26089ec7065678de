using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Durable;

/// <summary>
/// A buffer directory shared by loggers of different destinations, and by versions of the sink: each logger sends only
/// the files of its own destination, with its own credential, and files of another format stay as they are.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class BufferDestinationTests : IDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    const string TokenB = "dt0c01.LOGGERB.LOGGERBSECRETNOTAREALTOKEN0000000000000000000000000000000000000000";

    readonly TemporaryDirectory _directory = new();

    string BufferPath => Path.Combine(_directory.Path, "buffer");

    string[] BufferFiles() => Directory.Exists(BufferPath) ? Directory.GetFiles(BufferPath, "*.dtsb") : Array.Empty<string>();

    static void Outage(DynatraceIngestReceiver receiver)
    {
        for (var i = 0; i < 10_000; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(503));
    }

    static async Task<DynatraceIngestReceiver> StartReceiverAsync()
    {
        var options = new DynatraceIngestReceiverOptions();
        options.AcceptedTokens.Add(TokenB);
        var receiver = await DynatraceIngestReceiver.StartAsync(options);
        Outage(receiver);
        return receiver;
    }

    Task<SinkHarness> StartLoggerAsync(DynatraceIngestReceiver receiver, string endpoint, string token) => SinkHarness.StartAsync(o =>
    {
        o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
        o.Endpoint = endpoint;
        o.AccessToken = token;
        o.BufferPath = BufferPath;
        o.RetryTimeLimit = TimeSpan.FromMilliseconds(200);
    });

    static int[] Numbers(DynatraceIngestReceiver receiver) => receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).ToArray();

    /// <summary>
    /// Logger B (its own endpoint, or its own environment, and its own token) buffers through an outage and stops;
    /// logger A shares the directory. With only A running, none of B's events reaches any receiver and B's files stay
    /// as they are; when B runs again, all of its events arrive at B's endpoint with B's token.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ALoggerSendsOnlyTheBufferFilesOfItsOwnDestination(bool otherEnvironment)
    {
        await using var receiverA = await StartReceiverAsync();
        await using var otherReceiver = otherEnvironment ? await StartReceiverAsync() : null;
        var receiverB = otherReceiver ?? receiverA;
        var endpointB = otherEnvironment ? "team.a" : "team.b";

        // B's files first, so that A's replayer passes over all of them before it reaches its own.
        await using (var b = await StartLoggerAsync(receiverB, endpointB, TokenB))
        {
            for (var i = 0; i < 20; i++)
                b.Security().Warning("Event {N}", 100 + i);
            Eventually.True(() => b.Metrics.Sum("events.persisted") == 20, Deadline, "B's events wait on disk");
        }

        var filesOfB = BufferFiles().ToDictionary(f => f, File.ReadAllBytes);
        await using var a = await StartLoggerAsync(receiverA, "team.a", DynatraceIngestReceiver.DefaultAccessToken);
        a.LogNumbered(20);
        Eventually.True(() => a.Metrics.Sum("events.persisted") == 20, Deadline, "A's events wait on disk");
        receiverA.ClearScriptedResponses();

        Eventually.True(() => Numbers(receiverA).Length == 20 && BufferFiles().Length == filesOfB.Count, Deadline, "A's files are sent");
        Numbers(receiverA).Should().BeEquivalentTo(Enumerable.Range(0, 20), "A sends only its own events");
        Numbers(receiverB).Should().NotContain(n => n >= 100, "none of B's events reaches any receiver while B is not running");
        BufferFiles().Should().BeEquivalentTo(filesOfB.Keys);
        BufferFiles().Should().OnlyContain(f => File.ReadAllBytes(f).SequenceEqual(filesOfB[f]), "B's files are left as they were");
        SelfLogCapture.Containing(BufferPath).Should().Contain(l => l.Contains("holds files for") && l.Contains(endpointB));

        receiverB.ClearScriptedResponses();
        receiverB.Clear();
        await using var bAgain = await StartLoggerAsync(receiverB, endpointB, TokenB);
        Eventually.True(() => Numbers(receiverB).Length == 20 && BufferFiles().Length == 0, Deadline, "B's files are sent when B runs");

        Numbers(receiverB).Should().BeEquivalentTo(Enumerable.Range(100, 20));
        receiverB.Events.Select(e => e.Request).Should().OnlyContain(r =>
            r.Endpoint == endpointB && r.Headers["Authorization"] == "Api-Token " + TokenB, "B's events go to B's endpoint with B's token");
    }

    /// <summary>
    /// A file written by a newer version of the sink (a higher format) is left where it is, unchanged, never sent and
    /// named once in SelfLog (a downgrade or a mixed fleet sharing the directory must not destroy it); the file beside
    /// it is sent.
    /// </summary>
    [Fact]
    public async Task AFileOfANewerFormatStaysAsItIsAndDoesNotHoldUpTheRest()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var destination = TestBuffer.Destination(receiver);
        Directory.CreateDirectory(BufferPath);
        var newer = Path.Combine(BufferPath, "0000000000000000001-0000001-000001.dtsb");
        var contents = Encoding.UTF8.GetBytes($"{{\"format\":3,\"destination\":\"{destination}\",\"something\":\"new\"}}\n[{TestBuffer.EventJson(1)}]");
        File.WriteAllBytes(newer, contents);
        var beside = TestBuffer.Write(BufferPath, "0000000000000000002-0000001-000001", destination, new[] { (2, TimeSpan.FromMinutes(1)) });

        await using (var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.BufferPath = BufferPath;
        }))
        {
            await receiver.WaitForEventsAsync(1, Deadline);
            Eventually.True(() => !File.Exists(beside), Deadline, "the file beside it is sent");
        }

        Numbers(receiver).Should().Equal(2);
        File.Exists(newer).Should().BeTrue("the newer file is left where it is");
        File.ReadAllBytes(newer).Should().Equal(contents, "the newer file is left unchanged");
        SelfLogCapture.Containing(newer).Should().ContainSingle().Which.Should().Contain("format 3");
    }

    /// <summary>
    /// Files of format 1 (written by pre-release builds before files recorded their destination) cannot say where
    /// their events go: they are never sent, so that they cannot reach another logger's endpoint; they stay as they are
    /// and are named in SelfLog.
    /// </summary>
    [Fact]
    public async Task AFileThatDoesNotSayItsDestinationIsNotSent()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        Directory.CreateDirectory(BufferPath);
        var old = Path.Combine(BufferPath, "0000000000000000001-0000001-000001.dtsb");
        File.WriteAllBytes(old, FormatOneFile(TestBuffer.EventJson(1), DateTimeOffset.UtcNow.AddMinutes(-1)));
        var beside = TestBuffer.Write(BufferPath, "0000000000000000002-0000001-000001", TestBuffer.Destination(receiver), new[] { (2, TimeSpan.FromMinutes(1)) });

        await using (var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.BufferPath = BufferPath;
        }))
        {
            await receiver.WaitForEventsAsync(1, Deadline);
            Eventually.True(() => !File.Exists(beside), Deadline, "the file beside it is sent");
        }

        Numbers(receiver).Should().Equal(2);
        File.Exists(old).Should().BeTrue();
        SelfLogCapture.Containing(old).Should().ContainSingle().Which.Should().Contain("did not record where its events go");
    }

    /// <summary>A whole file of format 1, as the sink wrote them before: no destination, a checksum over body, lengths and timestamps.</summary>
    static byte[] FormatOneFile(string json, DateTimeOffset timestamp)
    {
        var body = Encoding.UTF8.GetBytes("[" + json + "]");
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(body);
        var value = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, json.Length);
        crc.Append(value);
        BinaryPrimitives.WriteInt64LittleEndian(value, timestamp.ToUnixTimeMilliseconds());
        crc.Append(value);
        var header = $"{{\"format\":1,\"events\":1,\"bytes\":{body.Length},\"crc32\":{crc.GetCurrentHashAsUInt32()},\"lengths\":[{json.Length}]," +
            $"\"timestamps\":[{timestamp.ToUnixTimeMilliseconds()}]}}\n";
        return Encoding.UTF8.GetBytes(header).Concat(body).ToArray();
    }

    public void Dispose() => _directory.Dispose();
}
