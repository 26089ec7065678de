using System.Linq;
using Serilog.Sinks.DynatraceSecurity;
using System.Net;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Hooks;

/// <summary>authz_fail: an authenticated user denied by a policy, through the app's own result handler.</summary>
public class AuthorizationFailureTests
{
    [Fact]
    public async Task AUserWithoutTheRoleGetsAHighEventWithUserPolicyAndEndpointAndTheAppsHandlerStillAnswers()
    {
        var counters = new AppCounters();
        await using var app = await FullApp.StartAsync(counters);

        using var response = await app.GetAsync("/api/admin", "203.0.113.21", bearer: Tokens.Valid("carol", "reader"));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Headers.GetValues("X-Handled-By").Should().Equal("app");
        counters.ResultHandlerCalls.Should().Be(1);
        var events = await app.StopAsync();
        var received = events.Should().ContainSingle().Subject;
        received.GetString("finding.type").Should().Be("authz_fail");
        received.GetString("finding.severity").Should().Be("HIGH");
        received.GetString("dt.security.risk.level").Should().Be("HIGH");
        received.GetString("user.name").Should().Be("carol");
        received.GetString("aspnetcore.authorization.policy").Should().Be("Admin");
        received.GetString("object.type").Should().Be("ENDPOINT");
        received.GetString("object.id").Should().Be("GET /api/admin");
        received.GetString("finding.title").Should().Be("carol was denied access to GET /api/admin");
        received.Strings("actor.ips").Should().Equal("203.0.113.21");
        received.Has("event.reason").Should().BeFalse();
        app.ShouldAllBeAccepted();
    }

    [Fact]
    public async Task RedactingUserNameAndFindingTitleKeepsTheAccountNameOutOfWhatIsSent()
    {
        await using var app = await FullApp.StartAsync(new AppCounters(),
            sink: o => o.RedactedProperties = DynatraceSecurityOptions.DefaultRedactedProperties.Concat(new[] { "user.name", "finding.title" }).ToArray());

        (await app.GetAsync("/api/admin", "203.0.113.22", bearer: Tokens.Valid("carol-the-customer", "reader"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var received = (await app.StopAsync()).Should().ContainSingle().Subject;
        received.GetString("user.name").Should().Be("[REDACTED]");
        received.GetString("finding.title").Should().Be("[REDACTED]");
        received.GetString("finding.type").Should().Be("authz_fail", "what happened is still said");
        app.ShouldAllBeAccepted();
        app.ShouldNotHaveSent("carol-the-customer");
    }
}
