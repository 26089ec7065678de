// Logs security events with a durable buffer, says so on standard output, then waits to be killed: the test kills it
// without disposing the logger, as a crash would.
//
//   dotnet Serilog.Sinks.DynatraceSecurity.CrashChild.dll <environmentUrl> <accessToken> <bufferPath> <count>

using System;
using System.Globalization;
using System.Threading;
using Serilog;

var logger = new LoggerConfiguration()
    .WriteTo.DynatraceSecurity(
        environmentUrl: args[0],
        accessToken: args[1],
        endpoint: "crash.child",
        bufferPath: args[2],
        bufferingTimeLimit: TimeSpan.FromMilliseconds(50),
        retryTimeLimit: TimeSpan.FromMilliseconds(200),
        enrichmentDirectory: "none")
    .CreateLogger();

var count = int.Parse(args[3], CultureInfo.InvariantCulture);
for (var i = 0; i < count; i++)
    logger.ForSecurityEvent().Warning("Event {N} from the child", i);

Console.WriteLine("LOGGED");
Thread.Sleep(Timeout.Infinite);
GC.KeepAlive(logger);
