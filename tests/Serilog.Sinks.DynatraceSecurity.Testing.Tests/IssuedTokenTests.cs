using System;
using System.Diagnostics;
using System.Net;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;
using static Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support.TokenRequests;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class IssuedTokenTests
{
    const string BuiltInPath = "/platform/ingest/v1/security.events";

    [Fact]
    public async Task UnknownRevokedAndExpiredTokensAreRefusedOnTheIngestRoutes()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { OAuthTokenLifetime = TimeSpan.FromSeconds(1) });
        using var client = new IngestTestClient(receiver);

        using var unknown = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer localreceiver.oauth.0123456789abcdef");
        (await IngestTestClient.ReadEnvelopeAsync(unknown, 401)).Should().Contain("invalid");

        var revoked = await TokenAsync(client, receiver);
        receiver.RevokeToken(revoked).Should().BeTrue();
        receiver.RevokeToken(revoked).Should().BeFalse("it is revoked already");
        using var afterRevocation = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer " + revoked);
        (await IngestTestClient.ReadEnvelopeAsync(afterRevocation, 401)).Should().Contain("revoked").And.NotContain(revoked);

        var expiring = await TokenAsync(client, receiver);
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer " + expiring);
            status = response.StatusCode;
            if (status == HttpStatusCode.Unauthorized)
            {
                (await IngestTestClient.ReadEnvelopeAsync(response, 401)).Should().Contain("expired");
            }
            else
            {
                await Task.Delay(50);
            }
        }
        while (status == HttpStatusCode.Accepted && clock.Elapsed < TimeSpan.FromSeconds(10));

        status.Should().Be(HttpStatusCode.Unauthorized);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RevokingEveryIssuedTokenLeavesNewOnesValid()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        var first = await TokenAsync(client, receiver);
        var second = await TokenAsync(client, receiver);

        receiver.RevokeIssuedTokens().Should().Be(2);
        var third = await TokenAsync(client, receiver);

        using var old = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer " + second);
        using var fresh = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer " + third);
        old.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        fresh.StatusCode.Should().Be(HttpStatusCode.Accepted);
        first.Should().NotBe(second).And.NotBe(third);
    }

    [Fact]
    public async Task ATokenWithoutTheRoutesPermissionIsAnswered403()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        var builtInOnly = await TokenAsync(client, receiver, DynatraceIngestReceiver.BuiltInRoutesPermission);

        using var custom = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer " + builtInOnly);
        using var builtIn = await client.PostAsync(BuiltInPath, IngestTestClient.OneEvent, "Bearer " + builtInOnly);

        (await IngestTestClient.ReadEnvelopeAsync(custom, 403)).Should().Contain(DynatraceIngestReceiver.CustomRoutesPermission);
        builtIn.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }
}
