using System;
using System.Linq;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>Builds real <see cref="LogEvent"/>s by logging through a real Serilog pipeline.</summary>
static class Capture
{
    public static LogEvent Event(Action<ILogger> log, Func<LoggerConfiguration, LoggerConfiguration>? configure = null)
    {
        var sink = new CollectingSink();
        var configuration = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink);
        using (var logger = (configure?.Invoke(configuration) ?? configuration).CreateLogger())
            log(logger);
        return sink.Events.Single();
    }
}
