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
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Examples;
using Serilog.Sinks.DynatraceSecurity.Examples.Worker;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json is next to the program, wherever it is started from
});

// The local receiver with no DT_* variables set, else your tenant (examples/Shared/ExampleTarget.cs). Its settings
// are laid over appsettings.json; with no AccessToken key the sink reads DT_ACCESS_TOKEN itself.
await using var target = await ExampleTarget.StartAsync();
builder.Configuration.AddInMemoryCollection(target.AsConfiguration("DynatraceSecurity"));

builder.Logging.AddDynatraceSecurity(builder.Configuration.GetSection("DynatraceSecurity"));
builder.Services.AddHostedService<DependencyScanWorker>();

// RunAsync returns when the worker stops the host, and disposes the host: that flushes the security events.
await builder.Build().RunAsync();

return 0;
