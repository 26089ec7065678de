// An ASP.NET Core app with a rate limiter and no security code: AddSecurityEvents (the AspNetCore package) reports the
// rejection, AddDynatraceSecurity (the companion package) delivers it to the local receiver when the app is disposed.
// Prints what the receiver accepted; exits 0 only if exactly the one rejection arrived, named in the OWASP vocabulary.

using System.Threading.RateLimiting;
using Serilog.Sinks.DynatraceSecurity.Testing;

await using var receiver = await DynatraceIngestReceiver.StartAsync();

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.Logging.AddDynatraceSecurity(o =>
{
    o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
    o.AccessToken = receiver.AccessToken;
    o.Endpoint = "contoso.web";
});
builder.Services.AddRateLimiter(o => o.AddPolicy("search", _ =>
    RateLimitPartition.GetFixedWindowLimiter("all", _ => new FixedWindowRateLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1) })));
builder.Services.AddSecurityEvents();

var app = builder.Build();
app.UseRateLimiter();
app.MapGet("/search", () => "results").RequireRateLimiting("search");
await app.StartAsync();

using (var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) })
{
    Console.WriteLine($"GET /search: {(int)(await client.GetAsync("/search")).StatusCode}");
    Console.WriteLine($"GET /search: {(int)(await client.GetAsync("/search")).StatusCode}");
}

await app.StopAsync();
await app.DisposeAsync();

Console.WriteLine($"The local receiver accepted {receiver.Events.Count} security event(s):");
foreach (ReceivedEvent received in receiver.Events)
{
    Console.WriteLine(received.ToString());
}

return receiver.Events.Count == 1 && receiver.Events[0].GetString("finding.type") == "excess_rate_limit_exceeded" ? 0 : 1;
