using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class ReceiverOptionsTests
{
    [Fact]
    public async Task OptionsAreCopiedAtStart()
    {
        var options = new DynatraceIngestReceiverOptions { Endpoints = new List<string> { "first" } };
        await using var receiver = await DynatraceIngestReceiver.StartAsync(options);
        using var client = new IngestTestClient(receiver);

        options.Endpoints.Add("second");
        options.AcceptedTokens.Clear();
        using var response = await client.PostAsync("/platform/ingest/custom/security.events/second", IngestTestClient.OneEvent);

        await IngestTestClient.ReadEnvelopeAsync(response, 404);
    }

    public static TheoryData<Action<DynatraceIngestReceiverOptions>> InvalidOptions => new()
    {
        o => o.AcceptedTokens.Clear(),
        o => o.AcceptedTokens.Add(" "),
        o => o.AcceptedTokens.Add("has space"),
        o => o.Endpoints = new List<string> { "bad..name" },
        o => o.MaxRequestBytes = 0,
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task InvalidOptionsAreRejectedAtStart(Action<DynatraceIngestReceiverOptions> spoil)
    {
        var options = new DynatraceIngestReceiverOptions();
        spoil(options);

        Func<Task> act = () => DynatraceIngestReceiver.StartAsync(options);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Theory]
    [InlineData("", "dt0s02.S", 1)]
    [InlineData("dt0s02.X Y", "dt0s02.S", 1)]
    [InlineData("dt0s02.X", " ", 1)]
    [InlineData("dt0s02.X", "dt0s02.S", 0.5)]
    [InlineData("dt0s02.X", "dt0s02.S", 86401)]
    public async Task InvalidOauthOptionsAreRefusedAtStart(string clientId, string secret, double lifetimeSeconds)
    {
        var options = new DynatraceIngestReceiverOptions
        {
            OAuthClientId = clientId,
            OAuthClientSecret = secret,
            OAuthTokenLifetime = TimeSpan.FromSeconds(lifetimeSeconds),
        };

        var start = () => DynatraceIngestReceiver.StartAsync(options);

        await start.Should().ThrowAsync<ArgumentException>();
    }
}
