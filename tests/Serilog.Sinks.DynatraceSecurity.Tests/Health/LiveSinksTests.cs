using System;
using System.Linq;
using System.Runtime.CompilerServices;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Health;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Health;

/// <summary>
/// Every sink of the process is in the set health checks read, from when it is built until its disposal has finished,
/// and a logger dropped without disposal is not kept alive by it. Each test's sink has an endpoint of its own, as other
/// tests build sinks at the same time.
/// </summary>
public class LiveSinksTests
{
    static bool IsLive(string endpointName) =>
        SinkHealth.Live().Any(sink => sink.Endpoint.EndsWith("/" + endpointName, StringComparison.Ordinal));

    static string UniqueName() => "live." + Guid.NewGuid().ToString("N");

    [Fact]
    public void A_batched_sink_is_live_from_when_it_is_built_until_it_is_disposed()
    {
        var name = UniqueName();
        var logger = new LoggerConfiguration().WriteTo.DynatraceSecurity(o => Configure(o, name)).CreateLogger();
        IsLive(name).Should().BeTrue();

        logger.Dispose();

        IsLive(name).Should().BeFalse();
    }

    [Fact]
    public void An_audit_sink_is_live_from_when_it_is_built_until_it_is_disposed()
    {
        var name = UniqueName();
        var logger = new LoggerConfiguration().AuditTo.DynatraceSecurity(o => Configure(o, name)).CreateLogger();
        IsLive(name).Should().BeTrue();

        logger.Dispose();

        IsLive(name).Should().BeFalse();
    }

    [Fact]
    public void A_logger_dropped_without_disposal_is_not_kept_alive()
    {
        var name = UniqueName();
        var dropped = BuildAndDrop(name);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        dropped.TryGetTarget(out _).Should().BeFalse("nothing but the set of live sinks refers to the logger");
        IsLive(name).Should().BeFalse();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference<ILogger> BuildAndDrop(string name)
    {
        var logger = new LoggerConfiguration().AuditTo.DynatraceSecurity(o => Configure(o, name)).CreateLogger();
        IsLive(name).Should().BeTrue();
        return new WeakReference<ILogger>(logger);
    }

    static void Configure(DynatraceSecurityOptions options, string name)
    {
        options.EnvironmentUrl = "https://abc12345.live.dynatrace.com";
        options.AccessToken = TestOptions.ClassicToken;
        options.Endpoint = name;
        options.EnrichmentDirectory = "none";
    }
}
