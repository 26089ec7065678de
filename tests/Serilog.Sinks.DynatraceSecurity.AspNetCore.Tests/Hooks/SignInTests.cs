using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task AWrongSecondFactorAndAnUnconfirmedAccountAreFailedSignInsWithTheirReasons()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            var database = Guid.NewGuid().ToString();
            builder.Services.AddDbContext<IdentityDbContext>(o => o.UseInMemoryDatabase(database));
            builder.Services.AddIdentity<IdentityUser, IdentityRole>(o => o.SignIn.RequireConfirmedAccount = true)
                .AddEntityFrameworkStores<IdentityDbContext>()
                .AddDefaultTokenProviders();
            builder.Services.AddSecurityEvents();
        }, web =>
        {
            web.MapPost("/login", async (FullApp.LoginRequest login, SignInManager<IdentityUser> signIn) =>
            {
                var result = await signIn.PasswordSignInAsync(login.UserName, login.Password, false, lockoutOnFailure: true);
                return result.RequiresTwoFactor ? Results.Accepted() : result.Succeeded ? Results.Ok() : Results.Unauthorized();
            });
            web.MapPost("/login/second-factor", async (SecondFactor code, SignInManager<IdentityUser> signIn) =>
                (await signIn.TwoFactorAuthenticatorSignInAsync(code.Code, false, false)).Succeeded ? Results.Ok() : Results.Unauthorized());
        }, async web =>
        {
            using var scope = web.Services.CreateScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var dave = new IdentityUser("dave") { EmailConfirmed = true };
            await users.CreateAsync(dave, FullApp.Password);
            await users.ResetAuthenticatorKeyAsync(dave);
            await users.SetTwoFactorEnabledAsync(dave, true);
            await users.CreateAsync(new IdentityUser("carol"), FullApp.Password); // not confirmed
        });

        using var password = await app.SendAsync(HttpMethod.Post, "/login", From, content: RejectedCredentialTests.JsonContent(new FullApp.LoginRequest("dave", FullApp.Password)));
        password.StatusCode.Should().Be(HttpStatusCode.Accepted, "the password was right; the second factor is pending");
        var pending = password.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("Identity.TwoFactorUserId=", StringComparison.Ordinal)).Split(';')[0];
        using var secondFactor = await app.SendAsync(HttpMethod.Post, "/login/second-factor", From,
            new[] { new KeyValuePair<string, string>("Cookie", pending) }, RejectedCredentialTests.JsonContent(new SecondFactor("000000")));
        secondFactor.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var unconfirmed = await app.SendAsync(HttpMethod.Post, "/login", From, content: RejectedCredentialTests.JsonContent(new FullApp.LoginRequest("carol", FullApp.Password)));
        unconfirmed.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var events = await app.StopAsync();

        events.Should().HaveCount(2, "a password sign-in that asks for the second factor is no failure");
        events.Should().OnlyContain(e => e.GetString("finding.type") == "authn_login_fail");
        events.Select(e => (e.GetString("user.name"), e.GetString("event.reason"))).Should().Equal(
            ("dave", "invalid_second_factor"), ("carol", "not_allowed"));
        events[0].GetString("object.id").Should().Be("POST /login/second-factor");
        app.ShouldAllBeAccepted();
    }

    public sealed record SecondFactor(string Code);
}
