// A Generic Host app that logs only through Microsoft.Extensions.Logging: AddDynatraceSecurity from the companion
// package adds the sink, ILogger<T> with a security scope and LogSecurityEvent write the events, and disposing the host
// delivers them to the local receiver from Serilog.Sinks.DynatraceSecurity.Testing.
// Prints what the receiver accepted; exits 0 only if exactly the two security events arrived.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Debugging;
using Serilog.Sinks.DynatraceSecurity;
using Serilog.Sinks.DynatraceSecurity.Testing;

await using var receiver = await DynatraceIngestReceiver.StartAsync();
SelfLog.Enable(message => Console.Error.WriteLine("[selflog] " + message));

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddDynatraceSecurity(options =>
{
    options.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
    options.AccessToken = receiver.AccessToken;
    options.Endpoint = "contoso.identity";
});

using (var host = builder.Build())
{
    await host.StartAsync();
    var logger = host.Services.GetRequiredService<ILogger<LoginService>>();

    using (logger.BeginSecurityScope(SecurityEventTypes.DetectionFinding, new Dictionary<string, object?> { ["actor.ips"] = new[] { "203.0.113.7" } }))
    {
        logger.LogWarning("Failed login for {UserName}", "alice");
    }

    logger.LogInformation("An ordinary event: the security sink ignores it");
    logger.LogSecurityEvent(LogLevel.Error, SecurityEventTypes.ComplianceFinding, "Account {UserName} locked", "alice");
    await host.StopAsync();
}

Console.WriteLine($"The local receiver accepted {receiver.Events.Count} security event(s):");
foreach (ReceivedEvent received in receiver.Events)
{
    Console.WriteLine(received.ToString());
}

return receiver.Events.Count == 2 ? 0 : 1;

sealed class LoginService;
