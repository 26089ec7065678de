using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class IngestEndpointNameTests
{
    [Theory]
    [InlineData("bad..name", "..")]
    [InlineData("trailing.", "ends with a dot")]
    [InlineData(".leading", "must start with a letter or digit")]
    [InlineData("under_score", "only letters, digits and dots")]
    [InlineData("dash-name", "only letters, digits and dots")]
    [InlineData("with%20space", "only letters, digits and dots")]
    [InlineData("", "empty")]
    public async Task InvalidEndpointNameIsAnswered400WithEnvelope(string endpoint, string expectedMessagePart)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync("/platform/ingest/custom/security.events/" + endpoint, IngestTestClient.OneEvent);

        var message = await IngestTestClient.ReadEnvelopeAsync(response, 400);
        message.Should().Contain(expectedMessagePart);
        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.Route.Should().Be(DynatraceIngestRouteKind.CustomSecurityEvents);
        request.StatusCode.Should().Be(400);
        receiver.Events.Should().BeEmpty();
    }

    [Theory]
    [InlineData("a")]
    [InlineData("A1.b2.C3")]
    [InlineData("1st.endpoint")]
    public async Task ValidEndpointNamesAreAcceptedWhenNoEndpointsAreConfigured(string endpoint)
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync("/platform/ingest/custom/events.security/" + endpoint, IngestTestClient.OneEvent);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().ContainSingle().Which.Request.Endpoint.Should().Be(endpoint);
    }

    [Fact]
    public async Task UnknownEndpointIsAnswered404WhenEndpointsAreConfiguredAndNamesMatchCaseInsensitively()
    {
        var options = new DynatraceIngestReceiverOptions { Endpoints = new List<string> { "contoso.identity" } };
        await using var receiver = await DynatraceIngestReceiver.StartAsync(options);
        using var client = new IngestTestClient(receiver);

        using var unknown = await client.PostAsync("/platform/ingest/custom/security.events/other.endpoint", IngestTestClient.OneEvent);
        using var known = await client.PostAsync("/platform/ingest/custom/security.events/Contoso.Identity", IngestTestClient.OneEvent);

        var message = await IngestTestClient.ReadEnvelopeAsync(unknown, 404);
        message.Should().Contain("other.endpoint");
        known.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Requests.Should().HaveCount(2);
        receiver.Requests[0].Route.Should().Be(DynatraceIngestRouteKind.CustomSecurityEvents);
        receiver.Requests[0].StatusCode.Should().Be(404);
        receiver.Events.Should().ContainSingle().Which.Request.Endpoint.Should().Be("Contoso.Identity");
    }

    [Fact]
    public async Task BuiltInRoutesIgnoreTheConfiguredEndpoints()
    {
        var options = new DynatraceIngestReceiverOptions { Endpoints = new List<string> { "only.this" } };
        await using var receiver = await DynatraceIngestReceiver.StartAsync(options);
        using var client = new IngestTestClient(receiver);

        using var response = await client.PostAsync("/platform/ingest/v1/security.events", IngestTestClient.OneEvent);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }
}
