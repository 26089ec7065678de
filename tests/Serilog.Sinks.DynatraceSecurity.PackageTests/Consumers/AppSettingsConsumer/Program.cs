// Configures Serilog.Sinks.DynatraceSecurity from appsettings.json, as a user would, and logs one security event to
// the local receiver from Serilog.Sinks.DynatraceSecurity.Testing. The receiver listens on a port chosen at run time,
// so its URL and token replace the placeholders of appsettings.json in memory.
// Prints what the receiver accepted; exits 0 only if exactly the one security event arrived.

using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Debugging;
using Serilog.Sinks.DynatraceSecurity.Testing;

await using var receiver = await DynatraceIngestReceiver.StartAsync();

IConfiguration configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: false)
    .AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Serilog:WriteTo:0:Args:environmentUrl"] = receiver.EnvironmentUrl.ToString(),
        ["Serilog:WriteTo:0:Args:accessToken"] = receiver.AccessToken,
    })
    .Build();

SelfLog.Enable(message => Console.Error.WriteLine("[selflog] " + message));

Log.Logger = new LoggerConfiguration()
    .ReadFrom.Configuration(configuration)
    .CreateLogger();

Log.Logger.ForSecurityEvent().Warning("Failed login for {UserName} from {ClientIp}", "alice", "203.0.113.7");
Log.Information("An ordinary event: the security sink ignores it");
Log.CloseAndFlush();

Console.WriteLine($"The local receiver accepted {receiver.Events.Count} security event(s):");
foreach (ReceivedEvent received in receiver.Events)
{
    Console.WriteLine(received.ToString());
}

return receiver.Events.Count == 1 ? 0 : 1;
