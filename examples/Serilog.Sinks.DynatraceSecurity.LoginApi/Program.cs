// An ASP.NET Core minimal API whose login endpoint logs through ILogger<T>: a scope carries the caller's address
// (actor.ips), failed logins and lockouts are security events about the account (object.type, object.id), and their
// event ids name their finding.type. The sink is configured
// only in appsettings.json (the "Serilog" section); no Serilog code names an option.
//
// With no DT_ENVIRONMENT_URL set, it starts the local ingest receiver and points the sink at it through an in-memory
// configuration source laid over appsettings.json (the same way user secrets or environment variables would). With
// DT_ENVIRONMENT_URL (and DT_ACCESS_TOKEN, optionally DT_ENDPOINT) set, it sends to that tenant.
//
//   dotnet run --project examples/Serilog.Sinks.DynatraceSecurity.LoginApi            serves http://localhost:5000
//   dotnet run --project examples/Serilog.Sinks.DynatraceSecurity.LoginApi -- --demo  logs in a few times, then exits

using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Sinks.DynatraceSecurity.Examples;
using Serilog.Sinks.DynatraceSecurity.Examples.LoginApi;

var demo = args.Contains("--demo");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args.Where(a => a != "--demo").ToArray(),
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json is next to the program, wherever it is started from
});

// The local receiver with no DT_* variables set, else your tenant (examples/Shared/ExampleTarget.cs). Its settings
// are laid over appsettings.json under the sink's arguments ("WriteTo" is an object, so the entry has a stable name);
// with no accessToken key the sink reads DT_ACCESS_TOKEN itself.
await using var target = await ExampleTarget.StartAsync();
builder.Configuration.AddInMemoryCollection(target.AsConfiguration("Serilog:WriteTo:Dynatrace:Args"));

if (demo)
    builder.WebHost.UseUrls("http://127.0.0.1:0");

builder.Services.AddSerilog((services, configuration) => configuration
    .ReadFrom.Configuration(builder.Configuration)
    .ReadFrom.Services(services));
builder.Services.AddSingleton<AccountStore>();

var app = builder.Build();
app.MapPost("/login", LoginEndpoint.Handle);

try
{
    if (!demo)
    {
        Console.WriteLine("Try: curl -X POST http://localhost:5000/login -H 'Content-Type: application/json' -d '{\"userName\":\"alice\",\"password\":\"wrong\"}'");
        await app.RunAsync();
    }
    else
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await LoginDemo.RunAsync(new Uri(address));
        await app.StopAsync();
    }
}
finally
{
    await app.DisposeAsync();
    await Log.CloseAndFlushAsync(); // delivers every queued security event before the target prints what arrived
}

return 0;
