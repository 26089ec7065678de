using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Hooks;

/// <summary>authn_login_fail and authn_login_lock: Identity sign-ins, through the reporting SignInManager.</summary>
public class SignInTests
{
    const string From = "203.0.113.31";

    [Fact]
    public async Task ABruteForceGivesAFailureForEveryAttemptAndOneLockAnUnknownAccountNoNameAndAGoodSignInNothing()
    {
        await using var app = await FullApp.StartAsync(new AppCounters());
        var attempts = new[]
        {
            ("alice", "123456"), ("alice", "password"), ("alice", "qwerty"), // the third locks the account
            ("alice", "letmein"),                                           // locked
            ("alice", FullApp.Password),                                    // locked, even with the right password
            ("Correct-Horse-typed-as-name", "x"),                          // no such account
            ("bob", FullApp.Password),                                      // a good sign-in
        };
        foreach (var (user, password) in attempts)
        {
            using var response = await app.SendAsync(HttpMethod.Post, "/login", From,
                content: RejectedCredentialTests.JsonContent(new FullApp.LoginRequest(user, password)));
            response.StatusCode.Should().Be(user == "bob" ? HttpStatusCode.OK : HttpStatusCode.Unauthorized);
        }

        var events = await app.StopAsync();

        var failures = events.OfType("authn_login_fail");
        failures.Select(e => e.GetString("event.reason")).Should().Equal(
            "invalid_password", "invalid_password", "invalid_password", "locked_out", "locked_out", "unknown_user");
        failures.Take(5).Should().OnlyContain(e => e.GetString("user.name") == "alice");
        failures.Should().OnlyContain(e => e.GetString("finding.severity") == "MEDIUM" && e.GetString("object.id") == "POST /login");
        failures[0].GetString("finding.title").Should().Be("Failed sign-in for alice (invalid_password)");
        failures[5].Has("user.name").Should().BeFalse("an unknown account name is never sent");
        failures[5].GetString("finding.title").Should().Be("Failed sign-in for an unknown account (unknown_user)");
        var locked = events.OfType("authn_login_lock").Should().ContainSingle().Subject;
        locked.GetString("user.name").Should().Be("alice");
        locked.GetString("event.reason").Should().Be("maxretries");
        locked.GetString("finding.title").Should().Be("Account alice locked after failed sign-ins");
        events.Should().HaveCount(7, "six failures and one lock; the good sign-in gives nothing");
        events.Should().OnlyContain(e => e.Strings("actor.ips").SequenceEqual(new[] { From }));
        app.ShouldAllBeAccepted();
        app.ShouldNotHaveSent(FullApp.Password, "123456", "qwerty", "letmein", "Correct-Horse-typed-as-name");
    }
}
