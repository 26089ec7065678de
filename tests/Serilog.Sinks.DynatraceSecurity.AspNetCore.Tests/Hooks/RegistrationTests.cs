using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Hooks;

/// <summary>Where the call goes, and the startup warnings when a hook is bypassed.</summary>
public class RegistrationTests
{
    const string Category = "Serilog.Sinks.DynatraceSecurity.AspNetCore";

    [Fact]
    public async Task AnAppWithOnlyJwtBearerWorksWithTheParameterlessCallAndGetsNoAntiforgery()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            builder.Services.AddAuthentication().AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = Tokens.ValidationParameters();
            });
            builder.Services.AddAuthorization();
            builder.Services.AddSecurityEvents();
        }, web => web.MapGet("/api/orders", () => "orders").RequireAuthorization());

        app.Services.GetService<IAntiforgery>().Should().BeNull("the package must not register antiforgery");
        (await app.GetAsync("/api/orders", bearer: Tokens.Expired("erin"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var received = (await app.StopAsync()).Should().ContainSingle().Subject;
        received.GetString("finding.type").Should().Be("authn_token_invalid");
        received.GetString("event.reason").Should().Be("expired");
        Warnings(app).Should().BeEmpty("nothing is bypassed");
    }

    [Fact]
    public async Task AResultHandlerRegisteredAfterTheCallIsNamedInAStartupWarning()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            builder.Services.AddSingleton(new AppCounters());
            builder.Services.AddAuthorization();
            builder.Services.AddSecurityEvents();
            builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AppResultHandler>();
        }, _ => { });

        var warning = Warnings(app).Should().ContainSingle().Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("AddSecurityEvents()").And.Contain(typeof(AppResultHandler).FullName!).And.Contain("after registering the handler");
    }

    [Fact]
    public async Task ACustomSignInManagerIsNamedInAStartupWarningAndOneDerivedFromTheReportingManagerIsReported()
    {
        await using var custom = await StartIdentityAppAsync(identity => identity.AddSignInManager<CustomSignInManager>());
        var warning = Warnings(custom).Should().ContainSingle().Subject;
        warning.Message.Should().Contain(typeof(CustomSignInManager).FullName!).And.Contain("SecurityEventsSignInManager<TUser>");

        await using var derived = await StartIdentityAppAsync(identity => identity.AddSignInManager<DerivedSignInManager>());
        Warnings(derived).Should().BeEmpty();
        (await derived.SendAsync(System.Net.Http.HttpMethod.Post, "/login",
            content: RejectedCredentialTests.JsonContent(new FullApp.LoginRequest("alice", "wrong")))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var received = (await derived.StopAsync()).Should().ContainSingle().Subject;
        received.GetString("finding.type").Should().Be("authn_login_fail");
        received.GetString("user.name").Should().Be("alice");
    }

    [Fact]
    public async Task AntiforgeryRegisteredAfterTheCallIsNamedInAStartupWarning()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            builder.Services.AddSecurityEvents();
            builder.Services.AddAntiforgery();
        }, _ => { });

        Warnings(app).Should().ContainSingle().Which.Message.Should().Contain("Antiforgery is registered after AddSecurityEvents()");
    }

    [Fact]
    public async Task IdentityRegisteredAfterTheCallIsNamedInAStartupWarning()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            builder.Services.AddSecurityEvents();
            AddIdentity(builder);
        }, _ => { });

        Warnings(app).Should().ContainSingle().Which.Message.Should().Contain("Identity").And.Contain("after the Identity registration");
    }

    [Fact]
    public void CallingItTwiceRegistersNothingTwice()
    {
        var services = new ServiceCollection();
        services.AddAuthorization().AddAntiforgery();
        services.AddSecurityEvents();
        var once = Describe(services);

        services.AddSecurityEvents();

        Describe(services).Should().Equal(once, "only the options' configure actions are added again");
        using var provider = services.AddLogging().BuildServiceProvider();
        provider.GetRequiredService<IAuthorizationMiddlewareResultHandler>().GetType().Name.Should().Be("ReportingResultHandler");
    }

    static CapturedLogs.Entry[] Warnings(TestApp app) =>
        app.Logs.In(Category).Where(e => e.EventId.Name == "HookBypassed").ToArray();

    static string[] Describe(IServiceCollection services) =>
        services.Where(d => !d.ServiceType.Name.StartsWith("IConfigureOptions", StringComparison.Ordinal))
            .Select(d => d.ServiceType.FullName + " " + d.Lifetime).ToArray();

    static Task<TestApp> StartIdentityAppAsync(Action<IdentityBuilder> signInManager) =>
        TestApp.StartAsync(builder =>
        {
            signInManager(AddIdentity(builder));
            builder.Services.AddSecurityEvents();
        }, app => app.MapPost("/login", async (FullApp.LoginRequest login, SignInManager<IdentityUser> signIn) =>
            (await signIn.PasswordSignInAsync(login.UserName, login.Password, false, true)).Succeeded ? Results.Ok() : Results.Unauthorized()),
            async app =>
            {
                using var scope = app.Services.CreateScope();
                await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().CreateAsync(new IdentityUser("alice"), FullApp.Password);
            });

    static IdentityBuilder AddIdentity(WebApplicationBuilder builder)
    {
        var database = Guid.NewGuid().ToString();
        builder.Services.AddDbContext<IdentityDbContext>(o => o.UseInMemoryDatabase(database));
        return builder.Services.AddIdentity<IdentityUser, IdentityRole>().AddEntityFrameworkStores<IdentityDbContext>();
    }

    sealed class CustomSignInManager(UserManager<IdentityUser> users, IHttpContextAccessor accessor, IUserClaimsPrincipalFactory<IdentityUser> claims,
        IOptions<IdentityOptions> options, ILogger<SignInManager<IdentityUser>> logger, IAuthenticationSchemeProvider schemes, IUserConfirmation<IdentityUser> confirmation)
        : SignInManager<IdentityUser>(users, accessor, claims, options, logger, schemes, confirmation);

    sealed class DerivedSignInManager(UserManager<IdentityUser> users, IHttpContextAccessor accessor, IUserClaimsPrincipalFactory<IdentityUser> claims,
        IOptions<IdentityOptions> options, ILogger<SignInManager<IdentityUser>> logger, IAuthenticationSchemeProvider schemes, IUserConfirmation<IdentityUser> confirmation)
        : SecurityEventsSignInManager<IdentityUser>(users, accessor, claims, options, logger, schemes, confirmation);
}
