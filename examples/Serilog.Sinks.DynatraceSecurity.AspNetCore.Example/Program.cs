// An ASP.NET Core app with JwtBearer, Identity, a rate limiter and antiforgery that writes no security event itself:
// builder.Services.AddSecurityEvents() (Serilog.Sinks.DynatraceSecurity.AspNetCore) reports what the framework
// rejects, in the OWASP Logging Vocabulary, and builder.Logging.AddDynatraceSecurity(...) ships it to Dynatrace.
//
// With no DT_ENVIRONMENT_URL set, it starts the local ingest receiver and points the sink at it; with
// DT_ENVIRONMENT_URL (and DT_ACCESS_TOKEN, optionally DT_ENDPOINT) set, it sends to that tenant.
//
//   dotnet run --project examples/Serilog.Sinks.DynatraceSecurity.AspNetCore.Example            serves http://localhost:5000
//   dotnet run --project examples/Serilog.Sinks.DynatraceSecurity.AspNetCore.Example -- --demo  a short attack, then exits
//
// GET /health shows the sink's health check as JSON (docs/health-checks.md: never use it in a liveness probe).

using System;
using System.Linq;
using System.Net.Http;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.RateLimiting;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Examples;
using Serilog.Sinks.DynatraceSecurity.Examples.AspNetCoreEvents;

var demo = args.Contains("--demo");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args.Where(a => a != "--demo").ToArray(),
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json is next to the program, wherever it is started from
});

// The local receiver with no DT_* variables set, else your tenant (examples/Shared/ExampleTarget.cs), laid over the
// "DynatraceSecurity" section of appsettings.json; with no AccessToken key the sink reads DT_ACCESS_TOKEN itself.
await using var target = await ExampleTarget.StartAsync();
builder.Configuration.AddInMemoryCollection(target.AsConfiguration("DynatraceSecurity"));
if (demo)
    builder.WebHost.UseUrls("http://127.0.0.1:0");

builder.Logging.AddDynatraceSecurity(builder.Configuration.GetSection("DynatraceSecurity"));

// The app's own registrations ...
builder.Services.AddDbContext<IdentityDbContext>(o => o.UseInMemoryDatabase("contoso"));
builder.Services.AddIdentity<IdentityUser, IdentityRole>(o => o.Lockout.MaxFailedAccessAttempts = 3)
    .AddEntityFrameworkStores<IdentityDbContext>();
builder.Services.AddAuthentication().AddJwtBearer(o =>
{
    o.MapInboundClaims = false;
    o.TokenValidationParameters = DemoTokens.ValidationParameters;
});
builder.Services.AddAuthorization(o =>
{
    o.AddPolicy("Api", p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser());
    o.AddPolicy("Admin", p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireRole("admin"));
});
builder.Services.AddRateLimiter(o =>
{
    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    o.AddPolicy("search", http => RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "",
        _ => new FixedWindowRateLimiterOptions { PermitLimit = 2, Window = TimeSpan.FromMinutes(1) }));
});
builder.Services.AddAntiforgery();
// Behind a proxy, trust it (and only it) for the client's address; the demo's "proxy" is loopback, trusted by default.
builder.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor);

// ... then the one call, after them: it wraps what they registered.
builder.Services.AddSecurityEvents(builder.Configuration.GetSection("SecurityEvents"));
// Healthy while the sink delivers, Degraded while delivery struggles, Unhealthy when a setting needs fixing.
builder.Services.AddHealthChecks().AddDynatraceSecurity();

var app = builder.Build();
app.UseForwardedHeaders();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();

app.MapPost("/account/login", async (LoginRequest login, SignInManager<IdentityUser> signIn) =>
    (await signIn.PasswordSignInAsync(login.UserName, login.Password, isPersistent: false, lockoutOnFailure: true)).Succeeded
        ? Results.Ok()
        : Results.Unauthorized());
app.MapGet("/api/orders/{id}", (int id, ClaimsPrincipal user) => Results.Ok(new { id, owner = user.Identity?.Name })).RequireAuthorization("Api");
app.MapGet("/api/admin/users", () => Results.Ok(new[] { "alice", "bob" })).RequireAuthorization("Admin");
app.MapGet("/api/search", (string q) => Results.Ok(new { q, hits = 0 })).RequireRateLimiting("search");
app.MapGet("/transfer", (IAntiforgery antiforgery, HttpContext http) => Results.Ok(antiforgery.GetAndStoreTokens(http).RequestToken));
app.MapPost("/transfer", ([FromForm] decimal amount, [FromForm] string to) => Results.Ok($"sent {amount} to {to}"));
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealthAsJson });

using (var scope = app.Services.CreateScope())
{
    var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
    await users.CreateAsync(new IdentityUser("alice"), DemoAttack.AlicePassword);
    await users.CreateAsync(new IdentityUser("bob"), DemoAttack.BobPassword);
}

try
{
    if (!demo)
    {
        Console.WriteLine("Try: curl -i http://localhost:5000/api/orders/1 -H 'Authorization: Bearer not-a-token'");
        await app.RunAsync();
    }
    else
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await DemoAttack.RunAsync(new Uri(address));
        using (var client = new HttpClient { BaseAddress = new Uri(address) })
        {
            using var health = await client.GetAsync("/health");
            Console.WriteLine($"GET /health: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
        }

        await app.StopAsync(); // writes the flood-control summaries of the open windows
    }
}
finally
{
    await app.DisposeAsync(); // delivers every queued security event before the target prints what arrived
}

return 0;

// The status with each check's description and data (MapHealthChecks writes only the status by default).
static Task WriteHealthAsJson(HttpContext http, HealthReport report)
{
    http.Response.ContentType = "application/json";
    return http.Response.WriteAsync(JsonSerializer.Serialize(new
    {
        status = report.Status.ToString(),
        checks = report.Entries.ToDictionary(entry => entry.Key, entry => new
        {
            status = entry.Value.Status.ToString(),
            description = entry.Value.Description,
            data = entry.Value.Data,
        }),
    }));
}

/// <summary>The body of <c>POST /account/login</c>.</summary>
public sealed record LoginRequest(string UserName, string Password);
