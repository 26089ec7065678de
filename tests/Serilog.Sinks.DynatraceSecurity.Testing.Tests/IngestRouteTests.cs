using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class IngestRouteTests
{
    public static TheoryData<string, DynatraceIngestRouteKind, string?> Routes => new()
    {
        { "/platform/ingest/custom/security.events/my.endpoint", DynatraceIngestRouteKind.CustomSecurityEvents, "my.endpoint" },
        { "/platform/ingest/custom/events.security/Legacy.Name2", DynatraceIngestRouteKind.CustomEventsSecurityLegacy, "Legacy.Name2" },
        { "/platform/ingest/v1/security.events", DynatraceIngestRouteKind.BuiltInSecurityEvents, null },
        { "/platform/ingest/v1/events.security", DynatraceIngestRouteKind.BuiltInEventsSecurityLegacy, null },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EachRouteAcceptsWith202AndRecordsTheEventWithRouteAndEndpoint(string path, DynatraceIngestRouteKind kind, string? endpoint)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(path, IngestTestClient.OneEvent);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        receiver.Events.Should().ContainSingle();
        var received = receiver.Events[0];
        received.GetString("event.type").Should().Be("DETECTION_FINDING");
        received.Request.Route.Should().Be(kind);
        received.Request.Endpoint.Should().Be(endpoint);
        received.Request.Path.Should().Be(path);
        received.Request.StatusCode.Should().Be(202);
        receiver.Requests.Should().ContainSingle().Which.Should().BeSameAs(received.Request);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/platform/ingest/v1/logs")]
    [InlineData("/platform/ingest/v1/security.events/")]
    [InlineData("/platform/ingest/custom/security.events/a/b")]
    [InlineData("/platform/ingest/custom/bizevents/my.endpoint")]
    [InlineData("/PLATFORM/ingest/v1/security.events")]
    public async Task UnknownPathIsAnswered404WithEnvelopeAndRecordedWithoutRoute(string path)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync(path, IngestTestClient.OneEvent);

        await IngestTestClient.ReadEnvelopeAsync(response, 404);
        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.Route.Should().BeNull();
        request.Endpoint.Should().BeNull();
        request.StatusCode.Should().Be(404);
        receiver.Events.Should().BeEmpty();
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task OtherMethodsOnAKnownRouteAreAnswered405(string method)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        var content = method == "GET" || method == "DELETE" ? null : IngestTestClient.Json(IngestTestClient.OneEvent);

        using var response = await client.Http.SendAsync(
            client.Request(new HttpMethod(method), IngestTestClient.CustomPath, content, client.ApiTokenHeader));

        await IngestTestClient.ReadEnvelopeAsync(response, 405);
        response.Content.Headers.Allow.Should().Equal("POST");
        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be(method);
        request.Route.Should().Be(DynatraceIngestRouteKind.CustomSecurityEvents);
        request.StatusCode.Should().Be(405);
        receiver.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task HeadOnAKnownRouteIsAnswered405WithoutABody()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.Http.SendAsync(
            client.Request(HttpMethod.Head, "/platform/ingest/v1/security.events", null, client.ApiTokenHeader));

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        receiver.Requests.Should().ContainSingle().Which.StatusCode.Should().Be(405);
    }
}
