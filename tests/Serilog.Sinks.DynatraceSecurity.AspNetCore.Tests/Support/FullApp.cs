using System;
using System.Net;
using System.Security.Claims;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Serilog.Sinks.DynatraceSecurity;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;

/// <summary>
/// A realistic app: JwtBearer APIs (its own <see cref="JwtBearerEvents"/>), Identity with cookies and lockout on
/// Entity Framework's in-memory store, policies with <c>AddAuthenticationSchemes("Bearer")</c> and the app's own
/// result handler registered before the call, a fixed-window limiter partitioned by <c>RemoteIpAddress</c> and a
/// policy with its own <c>OnRejected</c>, antiforgery on a minimal API form endpoint and an MVC action, and
/// <c>UseForwardedHeaders</c> so that each test client can come from an address of its own.
/// </summary>
static class FullApp
{
    public const string Password = "Correct-Horse-1";
    public const int MaxFailedAccessAttempts = 3;
    public const int SearchPermits = 2;

    public static async Task<TestApp> StartAsync(AppCounters counters, Action<SecurityEventsOptions>? options = null, bool forwardedHeaders = true,
        Action<DynatraceSecuritySinkOptions>? sink = null) =>
        await TestApp.StartAsync(
            builder => AddServices(builder, counters, options),
            app => MapPipeline(app, forwardedHeaders),
            SeedAsync,
            sink);

    static void AddServices(WebApplicationBuilder builder, AppCounters counters, Action<SecurityEventsOptions>? options)
    {
        var services = builder.Services;
        services.AddSingleton(counters);
        var database = Guid.NewGuid().ToString();
        services.AddDbContext<IdentityDbContext>(o => o.UseInMemoryDatabase(database));
        services.AddIdentity<IdentityUser, IdentityRole>(o =>
            {
                o.Lockout.MaxFailedAccessAttempts = MaxFailedAccessAttempts;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(30);
            })
            .AddEntityFrameworkStores<IdentityDbContext>();
        services.AddAuthentication().AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = Tokens.ValidationParameters();
            o.Events = new JwtBearerEvents
            {
                OnAuthenticationFailed = _ => counters.Increment(ref counters.AuthenticationFailed),
                OnChallenge = _ => counters.Increment(ref counters.Challenges),
            };
        });
        services.AddAuthorization(o =>
        {
            o.AddPolicy("ApiUser", p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser());
            o.AddPolicy("Admin", p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireRole("admin"));
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AppResultHandler>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (_, _) => new ValueTask(counters.Increment(ref counters.GlobalOnRejected));
            o.AddPolicy("search", http => RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = SearchPermits, Window = TimeSpan.FromHours(1) }));
            o.AddPolicy<string, ExportPolicy>("export");
        });
        services.AddAntiforgery();
        services.AddControllersWithViews().AddApplicationPart(typeof(FullApp).Assembly);
        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor);

        if (options == null)
            services.AddSecurityEvents();
        else
            services.AddSecurityEvents(options);
    }

    static void MapPipeline(WebApplication app, bool forwardedHeaders)
    {
        if (forwardedHeaders)
            app.UseForwardedHeaders();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapGet("/api/orders/{id}", (int id) => Results.Ok(new { id })).RequireAuthorization("ApiUser");
        app.MapGet("/api/admin", () => "admin area").RequireAuthorization("Admin");
        app.MapGet("/account/profile", (ClaimsPrincipal user) => user.Identity!.Name).RequireAuthorization();
        app.MapPost("/login", async (LoginRequest login, SignInManager<IdentityUser> signIn) =>
        {
            var result = await signIn.PasswordSignInAsync(login.UserName, login.Password, isPersistent: false, lockoutOnFailure: true);
            return result.Succeeded ? Results.Ok() : Results.Unauthorized();
        });
        app.MapGet("/api/search", () => "results").RequireRateLimiting("search");
        app.MapGet("/api/export", () => "export").RequireRateLimiting("export");
        app.MapGet("/transfer", (IAntiforgery antiforgery, HttpContext http) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            return Results.Ok(new FormTokens(tokens.FormFieldName, tokens.RequestToken!));
        });
        app.MapPost("/transfer", ([FromForm] string amount) => Results.Ok(amount));
        app.MapControllers();
    }

    static async Task SeedAsync(WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        foreach (var name in new[] { "alice", "bob" })
        {
            var created = await users.CreateAsync(new IdentityUser(name), Password);
            if (!created.Succeeded)
                throw new InvalidOperationException(string.Join("; ", created.Errors));
        }
    }

    public sealed record LoginRequest(string UserName, string Password);

    public sealed record FormTokens(string FieldName, string RequestToken);
}

/// <summary>What the app's own handlers saw: each must still run with the package in place.</summary>
sealed class AppCounters
{
    public int AuthenticationFailed;
    public int Challenges;
    public int GlobalOnRejected;
    public int PolicyOnRejected;
    public int ResultHandlerCalls;

    public Task Increment(ref int counter)
    {
        Interlocked.Increment(ref counter);
        return Task.CompletedTask;
    }
}

/// <summary>The app's own result handler: it answers a forbid itself, with a header that shows it did.</summary>
sealed class AppResultHandler(AppCounters counters) : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        Interlocked.Increment(ref counters.ResultHandlerCalls);
        if (!authorizeResult.Forbidden)
            return _default.HandleAsync(next, context, policy, authorizeResult);

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers["X-Handled-By"] = "app";
        return Task.CompletedTask;
    }
}

/// <summary>A rate-limiter policy with its own OnRejected, which the middleware calls instead of the global one.</summary>
sealed class ExportPolicy(AppCounters counters) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected =>
        (_, _) => new ValueTask(counters.Increment(ref counters.PolicyOnRejected));

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetFixedWindowLimiter(httpContext.Connection.RemoteIpAddress?.ToString() ?? "",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1) });
}

/// <summary>An MVC action protected by [ValidateAntiForgeryToken].</summary>
[Route("mvc")]
public sealed class TransferController : Controller
{
    [HttpPost("transfer")]
    [ValidateAntiForgeryToken]
    public IActionResult Transfer([FromForm] string amount) => Ok(amount);
}
