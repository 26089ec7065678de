using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Hooks;

/// <summary>authn_token_invalid: credentials that ASP.NET Core rejected, through the authorization result handler.</summary>
public class RejectedCredentialTests
{
    [Fact]
    public async Task EachBadBearerTokenOnAProtectedEndpointGivesOneEventWithItsReasonTheEndpointTheCallerAndTheTrace()
    {
        var counters = new AppCounters();
        await using var app = await FullApp.StartAsync(counters);
        var cases = new[]
        {
            (Token: Tokens.Expired("erin"), Reason: "expired", Severity: "LOW", From: "203.0.113.11"),
            (Token: Tokens.SignedWithAnotherKey("erin"), Reason: "invalid_signature", Severity: "MEDIUM", From: "203.0.113.12"),
            (Token: Tokens.FromAnotherIssuer("erin"), Reason: "invalid_issuer", Severity: "MEDIUM", From: "203.0.113.13"),
            (Token: Tokens.NotAJwt, Reason: "malformed", Severity: "MEDIUM", From: "203.0.113.14"),
        };
        var traces = cases.Select(_ => Guid.NewGuid().ToString("N")).ToArray();

        for (var i = 0; i < cases.Length; i++)
        {
            using var response = await app.SendAsync(HttpMethod.Get, "/api/orders/7?access_token=query-secret-" + i, cases[i].From,
                new[]
                {
                    new System.Collections.Generic.KeyValuePair<string, string>("Authorization", "Bearer " + cases[i].Token),
                    new System.Collections.Generic.KeyValuePair<string, string>("traceparent", $"00-{traces[i]}-00f067aa0ba902b7-01"),
                    new System.Collections.Generic.KeyValuePair<string, string>("User-Agent", "curl/8.5.0"),
                });
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var events = await app.StopAsync();

        events.Should().HaveCount(cases.Length);
        for (var i = 0; i < cases.Length; i++)
        {
            var received = events.Single(e => e.Strings("actor.ips").SequenceEqual(new[] { cases[i].From }));
            received.GetString("event.type").Should().Be("DETECTION_FINDING");
            received.GetString("finding.type").Should().Be("authn_token_invalid");
            received.GetString("event.reason").Should().Be(cases[i].Reason);
            received.GetString("aspnetcore.authentication.scheme").Should().Be("Bearer");
            received.GetString("finding.severity").Should().Be(cases[i].Severity);
            received.GetString("dt.security.risk.level").Should().Be(cases[i].Severity);
            received.GetString("object.type").Should().Be("ENDPOINT");
            received.GetString("object.id").Should().Be("GET /api/orders/{id}");
            received.GetString("http.request.method").Should().Be("GET");
            received.GetString("url.path").Should().Be("/api/orders/7", "the query string is never sent");
            received.GetString("http.route").Should().Be("/api/orders/{id}");
            received.GetString("user_agent.original").Should().Be("curl/8.5.0");
            received.GetString("trace.id").Should().Be(traces[i], "the caller's traceparent is kept");
            received.GetString("finding.title").Should().Be($"Rejected Bearer credential ({cases[i].Reason}) on GET /api/orders/{{id}}");
            received.Has("user.name").Should().BeFalse("a rejected credential names no user");
        }

        counters.AuthenticationFailed.Should().Be(cases.Length, "the app's own OnAuthenticationFailed still runs");
        counters.Challenges.Should().Be(cases.Length, "the app's own OnChallenge still runs");
        app.ShouldAllBeAccepted();
        app.ShouldNotHaveSent(cases.Select(c => c.Token).Append("query-secret").ToArray());
    }

    [Fact]
    public async Task ATamperedIdentityCookieGivesOneEventButNoCookieAndNoTokenGiveNone()
    {
        await using var app = await FullApp.StartAsync(new AppCounters());
        using var login = await app.Client.PostAsync("/login",
            JsonContent(new FullApp.LoginRequest("bob", FullApp.Password)));
        login.StatusCode.Should().Be(HttpStatusCode.OK);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal)).Split(';')[0];
        var value = cookie.Substring(cookie.IndexOf('=') + 1);
        var tampered = ".AspNetCore.Identity.Application=" + value.Substring(0, 40) + (value[40] == 'A' ? 'B' : 'A') + value.Substring(41);

        using (var session = await app.GetAsync("/account/profile", "198.51.100.1", cookie: cookie))
            session.StatusCode.Should().Be(HttpStatusCode.OK, "the untouched cookie is a valid session");
        using (var rejected = await app.GetAsync("/account/profile", "198.51.100.2", cookie: tampered))
            rejected.StatusCode.Should().Be(HttpStatusCode.Redirect, "a cookie that cannot be unprotected is a challenge: the login page");
        using (var anonymous = await app.GetAsync("/account/profile", "198.51.100.3"))
            anonymous.StatusCode.Should().Be(HttpStatusCode.Redirect, "a browser without a cookie is sent to the login page");
        using (var noToken = await app.GetAsync("/api/orders/1", "198.51.100.4"))
            noToken.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "an API client that has not logged in yet");

        var events = await app.StopAsync();

        var received = events.Should().ContainSingle().Subject;
        received.GetString("finding.type").Should().Be("authn_token_invalid");
        received.GetString("aspnetcore.authentication.scheme").Should().Be("Identity.Application");
        received.GetString("event.reason").Should().Be("invalid_signature");
        received.Strings("actor.ips").Should().Equal("198.51.100.2");
        received.GetString("object.id").Should().Be("GET /account/profile");
        app.ShouldAllBeAccepted();
        app.ShouldNotHaveSent(value, tampered.Substring(34), FullApp.Password);
    }

    internal static HttpContent JsonContent(object value) =>
        new StringContent(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
