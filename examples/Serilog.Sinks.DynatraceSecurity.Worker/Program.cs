// A worker service (Generic Host) that uses only Microsoft.Extensions.Logging: one call,
// builder.Logging.AddDynatraceSecurity(section), adds the sink; there is no Serilog code. The worker runs one
// dependency scan, reports its findings as security events, and stops the host, which delivers what is queued.
//
// With no DT_ENVIRONMENT_URL set, it starts the local ingest receiver and points the "DynatraceSecurity" section at it
// through an in-memory configuration source. With DT_ENVIRONMENT_URL (and DT_ACCESS_TOKEN, optionally DT_ENDPOINT)
// set, it sends to that tenant.
//
//   dotnet run --project examples/Serilog.Sinks.DynatraceSecurity.Worker

using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Examples.Worker;
using Serilog.Sinks.DynatraceSecurity.Testing;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json is next to the program, wherever it is started from
});

DynatraceIngestReceiver? receiver = null;
var environmentUrl = Environment.GetEnvironmentVariable("DT_ENVIRONMENT_URL");
if (string.IsNullOrWhiteSpace(environmentUrl))
{
    receiver = await DynatraceIngestReceiver.StartAsync();
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["DynatraceSecurity:EnvironmentUrl"] = receiver.EnvironmentUrl.ToString(),
        ["DynatraceSecurity:AccessToken"] = receiver.AccessToken,
    });
    Console.WriteLine($"No DT_ENVIRONMENT_URL set: sending security events to the local receiver at {receiver.EnvironmentUrl}");
}
else
{
    // The token is not in appsettings.json: with no AccessToken key the sink reads DT_ACCESS_TOKEN itself.
    var overrides = new Dictionary<string, string?> { ["DynatraceSecurity:EnvironmentUrl"] = environmentUrl };
    var endpoint = Environment.GetEnvironmentVariable("DT_ENDPOINT");
    if (!string.IsNullOrWhiteSpace(endpoint))
        overrides["DynatraceSecurity:Endpoint"] = endpoint;
    builder.Configuration.AddInMemoryCollection(overrides);
    Console.WriteLine($"Sending security events to {environmentUrl}");
}

builder.Logging.AddDynatraceSecurity(builder.Configuration.GetSection("DynatraceSecurity"));
builder.Services.AddHostedService<DependencyScanWorker>();

// RunAsync returns when the worker stops the host, and disposes the host: that flushes the security events.
await builder.Build().RunAsync();

if (receiver != null)
{
    Console.WriteLine($"The local receiver accepted {receiver.Events.Count} security event(s):");
    foreach (var received in receiver.Events)
        Console.WriteLine(received.ToString());
    await receiver.DisposeAsync();
}

return 0;
