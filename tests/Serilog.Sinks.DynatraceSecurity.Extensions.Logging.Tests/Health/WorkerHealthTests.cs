using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Shared;
using Xunit;
using static Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests.Health.HealthChecks;

namespace Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests.Health;

/// <summary>
/// The health check in a Generic Host worker (<c>builder.Logging.AddDynatraceSecurity(...)</c>, no web server) over
/// loopback HTTP to the local receiver, through each row of the state table that an endpoint can bring about.
/// </summary>
[Collection(HealthCollection.Name)]
public class WorkerHealthTests
{
    sealed class Worker;

    static IHost Start(DynatraceIngestReceiver receiver, string endpointName, Action<DynatraceSecuritySinkOptions>? configure = null)
    {
        var builder = TestHosts.CreateBuilder();
        builder.Logging.AddDynatraceSecurity(o =>
        {
            Configure(o, receiver, endpointName);
            configure?.Invoke(o);
        });
        builder.Services.AddHealthChecks().AddDynatraceSecurity();
        var host = builder.Build();
        host.Start();
        return host;
    }

    static void LogSecurityEvents(IHost host, int count = 1)
    {
        var logger = host.Services.GetRequiredService<ILogger<Worker>>();
        for (var i = 0; i < count; i++)
            logger.LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding, "Failed login {N}", i);
    }

    [Fact]
    public async Task A_worker_is_healthy_before_any_event_and_after_its_events_are_accepted()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var host = Start(receiver, "health.worker");

        var before = await CheckAsync(host.Services);
        before.Status.Should().Be(HealthStatus.Healthy, Json(before));
        Sink(before, "health.worker")["lastSuccessUtc"].Should().BeNull();

        LogSecurityEvents(host, 2);
        await receiver.WaitForEventsAsync(2, Deadline);
        var after = await UntilAsync(host.Services, e => Sink(e, "health.worker")["lastSuccessUtc"] != null, "the accepted request is recorded");

        after.Status.Should().Be(HealthStatus.Healthy, Json(after));
        var sink = Sink(after, "health.worker");
        sink["endpoint"].Should().Be(new Uri(receiver.EnvironmentUrl, "platform/ingest/custom/security.events/health.worker").ToString());
        ((DateTimeOffset)sink["lastSuccessUtc"]!).Offset.Should().Be(TimeSpan.Zero);
        sink["state"].Should().Be("healthy");
        after.Exception.Should().BeNull();
    }

    [Fact]
    public async Task A_503_storm_is_degraded_and_heals_without_a_restart()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        for (var i = 0; i < 50; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(503));
        using var host = Start(receiver, "health.storm");

        LogSecurityEvents(host);
        var storm = await UntilAsync(host.Services, e => e.Status != HealthStatus.Healthy, "the 503 is recorded");
        storm.Status.Should().Be(HealthStatus.Degraded, "a transient failure is never the failure status: " + Json(storm));
        storm.Description.Should().Contain("503").And.Contain("the sink retries");
        Sink(storm, "health.storm")["lastFailureStatus"].Should().Be(503);

        receiver.ClearScriptedResponses();
        await receiver.WaitForEventsAsync(1, Deadline);
        var healed = await UntilAsync(host.Services, e => e.Status == HealthStatus.Healthy, "the accepted retry heals it");
        Sink(healed, "health.storm")["lastFailureStatus"].Should().Be(503, "the latest failure stays in the data");
    }

    [Fact]
    public async Task A_rejected_event_is_degraded_and_counted_and_stays_so_after_the_next_accepted_request()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        receiver.EnqueueResponse(ScriptedResponse.Status(400));
        using var host = Start(receiver, "health.rejected");

        LogSecurityEvents(host);
        var rejected = await UntilAsync(host.Services, e => e.Status != HealthStatus.Healthy, "the drop is counted");
        rejected.Status.Should().Be(HealthStatus.Degraded);
        rejected.Description.Should().Contain("dropped security events").And.Contain("rejected 1");
        Sink(rejected, "health.rejected")["droppedEvents"].Should().BeEquivalentTo(new Dictionary<string, long> { ["rejected"] = 1 });

        LogSecurityEvents(host);
        await receiver.WaitForEventsAsync(1, Deadline);
        var after = await UntilAsync(host.Services, e => Sink(e, "health.rejected")["lastSuccessUtc"] != null, "the next request is accepted");
        after.Status.Should().Be(HealthStatus.Degraded, "a drop holds it for 5 minutes (the window is tested on a fake clock)");
    }

    [Fact]
    public async Task With_a_durable_buffer_an_outage_is_degraded_until_the_buffer_is_replayed()
    {
        var bufferPath = Path.Combine(Path.GetTempPath(), "dt-health-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var receiver = await DynatraceIngestReceiver.StartAsync();
            for (var i = 0; i < 50; i++)
                receiver.EnqueueResponse(ScriptedResponse.Status(503));
            using var host = Start(receiver, "health.durable", o => o.BufferPath = bufferPath);

            LogSecurityEvents(host);
            var outage = await UntilAsync(host.Services, e => Sink(e, "health.durable")["bufferBytes"] is > 0L, "the request is written to the buffer");
            outage.Status.Should().Be(HealthStatus.Degraded, Json(outage));
            outage.Description.Should().Contain("durable buffer");

            receiver.ClearScriptedResponses();
            await receiver.WaitForEventsAsync(1, Deadline);
            var replayed = await UntilAsync(host.Services, e => e.Status == HealthStatus.Healthy, "the replayed buffer is empty");
            Sink(replayed, "health.durable")["bufferBytes"].Should().Be(0L);
        }
        finally
        {
            if (Directory.Exists(bufferPath))
                Directory.Delete(bufferPath, recursive: true);
        }
    }

    [Fact]
    public async Task A_hanging_endpoint_is_healthy_until_the_queue_is_more_than_half_full_and_every_check_is_quick()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        receiver.EnqueueResponse(ScriptedResponse.Hang(TimeSpan.FromSeconds(5)));
        using var host = Start(receiver, "health.hanging", o =>
        {
            o.QueueLimit = 10;
            o.BatchSizeLimit = 1;
            o.RequestTimeout = TimeSpan.FromSeconds(30);
        });
        await CheckAsync(host.Services); // the first run builds the health check service

        LogSecurityEvents(host);
        await receiver.WaitForArrivalsAsync(1, Deadline); // the request hangs, with its event counted in the queue
        LogSecurityEvents(host, 4);
        var half = await TimedCheckAsync(host.Services);
        half.Status.Should().Be(HealthStatus.Healthy, "5 of 10 is not more than half: " + Json(half));
        Sink(half, "health.hanging")["queuedEvents"].Should().Be(5);

        LogSecurityEvents(host);
        var over = await TimedCheckAsync(host.Services);
        over.Status.Should().Be(HealthStatus.Degraded, Json(over));
        over.Description.Should().Contain("queue").And.Contain("queueLimit");
        Sink(over, "health.hanging")["queuedEvents"].Should().Be(6);
        receiver.Requests.Should().BeEmpty("the hanging request has not been answered, and a check sends nothing");
    }

    static async Task<HealthReportEntry> TimedCheckAsync(IServiceProvider services)
    {
        var clock = Stopwatch.StartNew();
        var entry = await CheckAsync(services);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromMilliseconds(100), "a check reads what the sink keeps, never the network");
        return entry;
    }

    [Fact]
    public async Task With_no_sink_in_the_process_it_is_the_failure_status_and_says_so()
    {
        GC.Collect(); // loggers other tests dropped without disposal
        GC.WaitForPendingFinalizers();
        using var services = Services(builder => builder
            .AddDynatraceSecurity()
            .AddDynatraceSecurity("dynatrace-readiness", HealthStatus.Degraded, new[] { "ready" }));

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries["dynatrace-security"].Status.Should().Be(HealthStatus.Unhealthy, Json(report.Entries["dynatrace-security"]));
        report.Entries["dynatrace-security"].Description.Should().StartWith("No DynatraceSecurity sink exists in this process")
            .And.Contain("WriteTo.DynatraceSecurity(...)");
        report.Entries["dynatrace-readiness"].Status.Should().Be(HealthStatus.Degraded);
        report.Entries["dynatrace-readiness"].Tags.Should().Equal("ready");
        report.Entries["dynatrace-security"].Exception.Should().BeNull();
    }
}
