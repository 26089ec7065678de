using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Hosting;

/// <summary>
/// Ties the package to the host's life: when the host starts (before the server takes requests) it warns about each
/// hook the app's registrations bypass and starts listening for rate-limit rejections; when the host has stopped
/// (after the server drained its requests, before the logger providers are disposed) it writes the summaries of the
/// open flood-control windows.
/// </summary>
internal sealed class SecurityEventsLifecycle(HookRegistry hooks, RateLimitRejections rateLimits, FloodControl flood, ILoggerFactory loggers)
    : IHostedLifecycleService
{
    static readonly EventId HookBypassed = new(100, "HookBypassed");

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(Findings.Category);
        foreach (var warning in hooks.BypassedHooks())
            logger.LogWarning(HookBypassed, "{Warning}", warning);
        rateLimits.Start();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        rateLimits.Dispose();
        flood.EndAll();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
