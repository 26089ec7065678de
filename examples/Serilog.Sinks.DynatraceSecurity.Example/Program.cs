// Logs a few security events (and a few ordinary ones) through WriteTo.DynatraceSecurity.
//
// With no configuration it starts the local ingest receiver from Serilog.Sinks.DynatraceSecurity.Testing and prints
// what the receiver accepted. With DT_ENVIRONMENT_URL, DT_ACCESS_TOKEN and DT_ENDPOINT set, it sends to that tenant.

using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog;
using Serilog.Debugging;
using Serilog.Sinks.DynatraceSecurity;
using Serilog.Sinks.DynatraceSecurity.Testing;

var environmentUrl = Environment.GetEnvironmentVariable("DT_ENVIRONMENT_URL");
var endpoint = Environment.GetEnvironmentVariable("DT_ENDPOINT");
DynatraceIngestReceiver? receiver = null;
string? accessToken = null; // null: the sink reads DT_ACCESS_TOKEN

if (string.IsNullOrWhiteSpace(environmentUrl))
{
    receiver = await DynatraceIngestReceiver.StartAsync();
    environmentUrl = receiver.EnvironmentUrl.ToString();
    accessToken = receiver.AccessToken;
    endpoint = "contoso.identity";
    Console.WriteLine($"No DT_ENVIRONMENT_URL set: sending to the local receiver at {environmentUrl}");
}
else
{
    Console.WriteLine($"Sending to {environmentUrl} (endpoint: {endpoint ?? "built-in route"})");
}

// The sink reports delivery problems here (never the token or the event payloads).
SelfLog.Enable(message => Console.Error.WriteLine("[sink] " + message));

Log.Logger = new LoggerConfiguration()
    .WriteTo.DynatraceSecurity(
        environmentUrl: environmentUrl,
        accessToken: accessToken,
        endpoint: string.IsNullOrWhiteSpace(endpoint) ? null : endpoint,
        eventProvider: "Contoso.Identity",
        productName: "Contoso Identity Service",
        productVendor: "Contoso",
        staticAttributes: new Dictionary<string, string> { ["deployment.environment"] = "example" })
    .CreateLogger();

var security = Log.Logger.ForSecurityEvent(SecurityEventTypes.DetectionFinding);
security.Warning("Failed login for {UserName} from {ClientIp}", "alice", "203.0.113.7");
security
    .ForContext("object.type", "USER_ACCOUNT")
    .ForContext("object.id", "alice")
    .ForContext("actor.ips", new[] { "203.0.113.7" })
    .Error("Account {UserName} locked after {Attempts} failed logins", "alice", 5);
Log.Logger.ForSecurityEvent(SecurityEventTypes.ComplianceFinding)
    .ForContext("Check", new { Id = "TLS-1", Title = "TLS 1.0 enabled" }, destructureObjects: true)
    .Information("Compliance check {CheckId} failed", "TLS-1");

Log.Information("An ordinary event: the security sink ignores it");
Log.Debug("Another ordinary event");

await Log.CloseAndFlushAsync(); // delivers everything queued before it returns

if (receiver != null)
{
    Console.WriteLine($"The local receiver accepted {receiver.Events.Count} security event(s):");
    foreach (var received in receiver.Events)
        Console.WriteLine(received.ToString());
    await receiver.DisposeAsync();
}

return 0;
