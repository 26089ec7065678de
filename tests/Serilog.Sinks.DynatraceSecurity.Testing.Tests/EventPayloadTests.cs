using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class EventPayloadTests
{
    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"a\":1", "not valid JSON")]
    [InlineData("{\"a\":1,}", "not valid JSON")]
    [InlineData("{\"a\":1} // comment", "not valid JSON")]
    [InlineData("{\"a\":1}{\"b\":2}", "not valid JSON")]
    [InlineData("42", "JSON number")]
    [InlineData("\"text\"", "JSON string")]
    [InlineData("null", "JSON null")]
    [InlineData("true", "JSON boolean")]
    [InlineData("[{\"a\":1}, 2]", "Array element 1 is a JSON number")]
    [InlineData("[[{\"a\":1}]]", "Array element 0 is a JSON array")]
    [InlineData("{\"a\":1,\"a\":2}", "duplicate property name: 'a'")]
    [InlineData("{\"a\":1,\"\\u0061\":2}", "duplicate property name: 'a'")]
    [InlineData("[{\"ok\":1},{\"x\":{\"y\":1,\"y\":2}}]", "Event 1 has a duplicate property name: 'y'")]
    [InlineData("{\"list\":[{\"k\":1,\"k\":1}]}", "duplicate property name: 'k'")]
    public async Task InvalidPayloadIsAnswered400WithAnEnvelopeSayingWhatIsWrong(string body, string expectedMessagePart)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, body);

        var message = await IngestTestClient.ReadEnvelopeAsync(response, 400);
        message.Should().Contain(expectedMessagePart);
        receiver.Requests.Should().ContainSingle().Which.StatusCode.Should().Be(400);
        receiver.Events.Should().BeEmpty();
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}' }, "not valid UTF-8")]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}' }, "byte order mark")]
    public async Task BodyThatIsNotPlainUtf8IsAnswered400(byte[] body, string expectedMessagePart)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        using var response = await client.PostAsync(IngestTestClient.CustomPath, content);

        (await IngestTestClient.ReadEnvelopeAsync(response, 400)).Should().Contain(expectedMessagePart);
        receiver.Requests[0].Body.Should().Equal(body);
    }

    [Fact]
    public async Task ArrayOfObjectsIsRecordedAsEventsInOrder()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(
            IngestTestClient.CustomPath,
            "[" + IngestTestClient.Event("1", "\"n\":1") + "," + IngestTestClient.Event("2", "\"nested\":{\"a\":[1,2]}") + "," +
            IngestTestClient.Event("3", "\"flag\":true,\"none\":null") + "]");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().HaveCount(3);
        receiver.Events.Select(e => e.GetString("event.id")).Should().Equal("1", "2", "3");
        receiver.Events.Should().OnlyContain(e => ReferenceEquals(e.Request, receiver.Requests[0]));
        receiver.Events[0].GetString("n").Should().Be("1");
        receiver.Events[1].GetString("nested").Should().Be("""{"a":[1,2]}""");
        receiver.Events[2].GetString("flag").Should().Be("true");
        receiver.Events[2].GetString("none").Should().BeNull();
        receiver.Events[2].GetString("absent").Should().BeNull();
        receiver.Events[0].Json.ValueKind.Should().Be(JsonValueKind.Object);
        receiver.Events[0].ToString().Should().Be(IngestTestClient.Event("1", "\"n\":1"));
    }

    [Fact]
    public async Task EmptyArrayIsAcceptedWithNoEvents()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, "[]");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Requests.Should().ContainSingle().Which.StatusCode.Should().Be(202);
        receiver.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task DottedKeysArePropertyNamesNotPaths()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(
            IngestTestClient.CustomPath, IngestTestClient.Event("e-1", "\"finding\":{\"title\":\"nested\"},\"actor.ips\":[\"203.0.113.7\"]"));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var received = receiver.Events.Single();
        received.GetString("finding.title").Should().Be("A test finding");
        received.GetString("actor.ips").Should().Be("""["203.0.113.7"]""");
    }

    [Fact]
    public async Task AnEventWithoutTheFieldsTheSecurityAppNeedsIsAnswered400NamingThem()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        var incomplete = """{"event.id":"e-2","event.provider":"tests","finding.title":"","object.id":null,"object.type":"PROCESS"}""";

        using var response = await client.PostAsync(IngestTestClient.CustomPath, "[" + IngestTestClient.Event("e-1") + "," + incomplete + "]");

        var message = await IngestTestClient.ReadEnvelopeAsync(response, 400);
        message.Should().Contain("Event 1 lacks")
            .And.Contain("finding.type, finding.id, finding.time.created, finding.title, dt.security.risk.level, object.id")
            .And.Contain("RequireSecurityAppFields");
        message.Should().NotContain("event.provider").And.NotContain("object.type,");
        receiver.Events.Should().BeEmpty("a request is accepted or refused as a whole");
    }

    [Fact]
    public async Task TheSecurityAppCheckCanBeTurnedOff()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(
            new DynatraceIngestReceiverOptions { RequireSecurityAppFields = false });
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(IngestTestClient.CustomPath, """{"event.id":"e-1","n":1}""");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().ContainSingle().Which.GetString("n").Should().Be("1");
    }

    [Fact]
    public async Task ARequestHoldingAnEventTheValidatorRejectsIsAnswered400AsAWhole()
    {
        var options = new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.TryGetProperty("bad", out _) ? "attribute 'bad' is not allowed" : null,
        };
        await using var receiver = await DynatraceIngestReceiver.StartAsync(options);
        using var client = new IngestTestClient(receiver);

        using var rejected = await client.PostAsync(
            IngestTestClient.CustomPath, "[" + IngestTestClient.Event("e-1", "\"ok\":1") + "," + IngestTestClient.Event("e-2", "\"bad\":1") + "]");
        using var accepted = await client.PostAsync(IngestTestClient.CustomPath, "[" + IngestTestClient.Event("e-3", "\"ok\":2") + "]");

        (await IngestTestClient.ReadEnvelopeAsync(rejected, 400)).Should().Contain("attribute 'bad' is not allowed");
        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().ContainSingle().Which.Json.GetProperty("ok").GetInt32().Should().Be(2);
    }
}
