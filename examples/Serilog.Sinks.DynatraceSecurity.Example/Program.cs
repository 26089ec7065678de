// Logs a few security events (and a few ordinary ones) through WriteTo.DynatraceSecurity.
//
// With no configuration it starts the local ingest receiver from Serilog.Sinks.DynatraceSecurity.Testing and prints
// what the receiver accepted. With DT_ENVIRONMENT_URL, DT_ACCESS_TOKEN (or DT_CLIENT_ID and DT_CLIENT_SECRET for an
// OAuth client) and DT_ENDPOINT set, it sends to that tenant.

using System;
using System.Collections.Generic;
using Serilog;
using Serilog.Debugging;
using Serilog.Sinks.DynatraceSecurity;
using Serilog.Sinks.DynatraceSecurity.Examples;

// The local receiver with no DT_* variables set, else your tenant (examples/Shared/ExampleTarget.cs).
await using var target = await ExampleTarget.StartAsync(localEndpoint: "contoso.identity");

// The sink reports delivery problems here (never the token or the event payloads).
SelfLog.Enable(message => Console.Error.WriteLine("[sink] " + message));

Log.Logger = new LoggerConfiguration()
    .WriteTo.DynatraceSecurity(
        environmentUrl: target.EnvironmentUrl,
        accessToken: target.AccessToken, // null: the sink reads DT_ACCESS_TOKEN, or DT_CLIENT_ID and DT_CLIENT_SECRET
        endpoint: target.Endpoint,
        eventProvider: "Contoso.Identity",
        productName: "Contoso Identity Service",
        productVendor: "Contoso",
        staticAttributes: new Dictionary<string, string> { ["deployment.environment"] = "example" })
    .CreateLogger();

// A security event with the sink's defaults: finding.type is the message template, finding.title the message, and the
// finding is about the application itself (object.type PROCESS, object.id "Contoso.Identity").
var security = Log.Logger.ForSecurityEvent(SecurityEventTypes.DetectionFinding);
security.Warning("Failed login for {UserName} from {ClientIp}", "alice", "203.0.113.7");

// Saying what the finding is about and what it is called: a SecurityFinding sets object.type, object.id, finding.type
// and finding.title in place of the defaults.
Log.Logger
    .ForSecurityEvent(new SecurityFinding
    {
        Type = "Brute force",
        Title = "Account locked after repeated failed logins",
        ObjectType = "USER_ACCOUNT",
        ObjectId = "alice",
    })
    .ForContext("actor.ips", new[] { "203.0.113.7" })
    .Error("Account {UserName} locked after {Attempts} failed logins", "alice", 5);

Log.Logger
    .ForSecurityEvent(new SecurityFinding(SecurityEventTypes.ComplianceFinding) { Type = "TLS-1", ObjectType = "HOST", ObjectId = Environment.MachineName })
    .ForContext("Check", new { Id = "TLS-1", Title = "TLS 1.0 enabled" }, destructureObjects: true)
    .Information("Compliance check {CheckId} failed", "TLS-1");

Log.Information("An ordinary event: the security sink ignores it");
Log.Debug("Another ordinary event");

await Log.CloseAndFlushAsync(); // delivers everything queued before it returns; then the target prints what arrived

return 0;
