using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Hooks;

/// <summary>What is deliberately not reported, and what the package never trusts.</summary>
public class NormalTrafficTests
{
    [Fact]
    public async Task ValidTokensAnAdminGoodSignInsAndSessionsRequestsWithinLimitsLoginRedirectsAnd404sGiveNoEventAtAll()
    {
        var counters = new AppCounters();
        await using var app = await FullApp.StartAsync(counters);
        const string from = "203.0.113.61";

        (await app.GetAsync("/api/orders/1", from, bearer: Tokens.Valid("carol"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.GetAsync("/api/admin", from, bearer: Tokens.Valid("dave", "admin"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.GetAsync("/api/orders/1", from)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "an API client not logged in yet");
        var login = await app.SendAsync(HttpMethod.Post, "/login", from,
            content: RejectedCredentialTests.JsonContent(new FullApp.LoginRequest("bob", FullApp.Password)));
        login.StatusCode.Should().Be(HttpStatusCode.OK);
        var session = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Identity.Application=", System.StringComparison.Ordinal)).Split(';')[0];
        (await app.GetAsync("/account/profile", from, cookie: session)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.GetAsync("/account/profile", from)).StatusCode.Should().Be(HttpStatusCode.Redirect, "a login redirect");
        (await app.GetAsync("/api/search", from)).StatusCode.Should().Be(HttpStatusCode.OK, "within the limit");
        (await app.GetAsync("/no/such/page", from)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var tokenResponse = await app.GetAsync("/transfer", from);
        var tokens = (await tokenResponse.Content.ReadFromJsonAsync<FullApp.FormTokens>())!;
        var antiforgeryCookie = tokenResponse.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery.", System.StringComparison.Ordinal)).Split(';')[0];
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "5", [tokens.FieldName] = tokens.RequestToken });
        (await app.SendAsync(HttpMethod.Post, "/transfer", from, new[] { new KeyValuePair<string, string>("Cookie", antiforgeryCookie) }, form))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        var events = await app.StopAsync();

        events.Should().BeEmpty();
        app.Receiver.Requests.Should().BeEmpty();
        app.Logs.In("Serilog.Sinks.DynatraceSecurity.AspNetCore").Should().BeEmpty("no event and no startup warning for a correctly ordered app");
    }

    [Fact]
    public async Task WithoutUseForwardedHeadersAnXForwardedForHeaderChangesNothing()
    {
        await using var app = await FullApp.StartAsync(new AppCounters(), forwardedHeaders: false);

        using var response = await app.GetAsync("/api/orders/1", from: "203.0.113.66", bearer: Tokens.Expired("erin"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var received = (await app.StopAsync()).Should().ContainSingle().Subject;
        received.Strings("actor.ips").Should().Equal(new[] { "127.0.0.1" }, "only the connection's address is trusted");
    }
}
