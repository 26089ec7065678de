using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Health;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Health;

/// <summary>The health state table, row by row, on a fake clock: what one sink's answers, queue, buffer and drops make it.</summary>
public class SinkHealthTests
{
    static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    readonly FakeTimeProvider _clock = new(Start);

    (SinkHealth Health, FailureText Text) Create(EventQueue? queue = null, BufferDirectory? buffer = null,
        Action<DynatraceSecuritySinkOptions>? configure = null)
    {
        var settings = SinkSettings.From(TestOptions.Create(configure));
        return (new SinkHealth(settings.Target, _clock, queue ?? new EventQueue(10, 10, 1_000_000), buffer),
            new FailureText(settings));
    }

    static void Answer((SinkHealth Health, FailureText Text) sink, IngestResult result) =>
        sink.Health.Record(result, DeliveryPolicy.ClassOf(result), sink.Text);

    [Fact]
    public void A_sink_that_has_sent_nothing_yet_is_healthy()
    {
        var health = Create().Health;
        var report = health.Report();

        report.State.Should().Be(SinkState.Healthy);
        report.Description.Should().BeNull();
        health.Endpoint.Should().Be("https://abc12345.live.dynatrace.com/platform/ingest/custom/security.events/contoso.identity");
        report.Data["state"].Should().Be("healthy");
        report.Data["lastSuccessUtc"].Should().BeNull();
        report.Data["lastFailure"].Should().BeNull();
        report.Data["queuedEvents"].Should().Be(0);
        report.Data.Should().NotContainKey("bufferBytes", "only a sink with bufferPath has a buffer");
    }

    [Fact]
    public void An_accepted_request_is_healthy_with_its_time_in_UTC()
    {
        var sink = Create();
        _clock.Advance(TimeSpan.FromSeconds(3));

        Answer(sink, IngestResult.Accepted);

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Healthy);
        report.Data["lastSuccessUtc"].Should().Be(Start.AddSeconds(3));
        ((DateTimeOffset)report.Data["lastSuccessUtc"]!).Offset.Should().Be(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(401, "check the access token")]
    [InlineData(403, "check the token's permissions")]
    [InlineData(404, "check the endpoint name and route")]
    public void A_configuration_failure_is_failing_and_says_what_to_check(int status, string hint)
    {
        var sink = Create();

        Answer(sink, IngestResult.Answered(status, "Dynatrace's message"));

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Failing);
        report.Data["state"].Should().Be("failing");
        report.Description.Should().Contain(sink.Health.Endpoint).And.Contain(status.ToString()).And.Contain(hint).And.NotContain("\n");
        ((string)report.Data["lastFailure"]!).Should().StartWith($"{status} from POST /platform/ingest/custom/security.events/contoso.identity: Dynatrace's message — ")
            .And.Contain(hint);
        report.Data["lastFailureStatus"].Should().Be(status);
        report.Data["lastFailureUtc"].Should().Be(Start);
    }

    [Fact]
    public void A_redirect_is_failing_and_names_the_final_url_to_use()
    {
        var sink = Create();

        Answer(sink, IngestResult.Answered(302, redirectHost: "elsewhere.example.com"));

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Failing);
        report.Description.Should().Contain("elsewhere.example.com").And.Contain("use the final URL");
    }

    [Fact]
    public void A_refused_OAuth_client_is_failing_and_names_the_client_settings()
    {
        var sink = Create(configure: o =>
        {
            o.AccessToken = null;
            o.OAuthClientId = "dt0s02.CLIENT";
            o.OAuthClientSecret = "dt0s02.CLIENT.SECRET";
        });

        Answer(sink, IngestResult.TokenFailure(401, "invalid_client: unknown client", "invalid_client"));

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Failing);
        report.Description.Should().Contain("oauthClientId").And.Contain("oauthClientSecret").And.Contain("oauthScope").And.Contain("401");
        report.Data["lastFailureStatus"].Should().Be(401);
    }

    public static IEnumerable<object[]> TransientFailures() => new[]
    {
        new object[] { IngestResult.Answered(503, "busy"), "503", 503 },
        new object[] { IngestResult.Answered(429), "429", 429 },
        new object[] { IngestResult.Answered(408), "408", 408 },
        new object[] { IngestResult.Timeout(), "no response within", 0 },
        new object[] { IngestResult.NoResponse("Connection refused"), "Connection refused", 0 },
        new object[] { IngestResult.TokenFailure(503, null), "503 from the token request", 503 },
    };

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public void A_transient_failure_is_degraded_and_says_the_sink_retries(object result, string named, int status)
    {
        var sink = Create();

        Answer(sink, (IngestResult)result);

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Degraded);
        report.Description.Should().Contain(named).And.Contain("the sink retries");
        report.Data["lastFailureStatus"].Should().Be(status);
    }

    [Fact]
    public void The_latest_answer_stays_until_the_next_and_an_accepted_one_recovers()
    {
        var sink = Create();
        Answer(sink, IngestResult.Answered(401));
        _clock.Advance(TimeSpan.FromHours(1));
        sink.Health.Report().State.Should().Be(SinkState.Failing, "nothing was answered since, however long ago");

        Answer(sink, IngestResult.Accepted);

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Healthy);
        report.Data["lastFailureStatus"].Should().Be(401, "the latest failure stays in the data");
        report.Data["lastSuccessUtc"].Should().Be(Start.AddHours(1));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(413)]
    public void An_answer_about_the_events_is_no_state_of_its_own(int status)
    {
        var sink = Create();
        Answer(sink, IngestResult.Answered(401));

        Answer(sink, IngestResult.Answered(status));

        sink.Health.Report().State.Should().Be(SinkState.Failing);
        sink.Health.Report().Data["lastFailureStatus"].Should().Be(401);
    }

    [Fact]
    public void A_queue_more_than_half_full_is_degraded()
    {
        var queue = new EventQueue(10, 4, 1_000_000);
        var sink = Create(queue);
        queue.TryAdd(Event()).Should().BeNull();
        queue.TryAdd(Event()).Should().BeNull();
        sink.Health.Report().State.Should().Be(SinkState.Healthy, "half full is not more than half");

        queue.TryAdd(Event()).Should().BeNull();

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Degraded);
        report.Description.Should().Contain("queue").And.Contain("queueLimit");
        report.Data["queuedEvents"].Should().Be(3);
    }

    [Fact]
    public void A_queue_more_than_half_full_by_bytes_is_degraded()
    {
        // One event is more than half of queueLimitBytes.
        var queue = new EventQueue(10, 1000, EventQueue.Estimate(Event()) * 2 - 1);
        var sink = Create(queue);

        queue.TryAdd(Event()).Should().BeNull();
        var report = sink.Health.Report();

        report.State.Should().Be(SinkState.Degraded);
        report.Description.Should().Contain("queueLimitBytes");
    }

    [Fact]
    public void A_durable_buffer_holding_events_is_degraded_until_it_is_empty()
    {
        using var directory = new TemporaryDirectory();
        var (buffer, _) = BufferDirectory.Open(directory.Path, "https://example", 1_000_000, _clock);
        var sink = Create(buffer: buffer);
        sink.Health.Report().Data["bufferBytes"].Should().Be(0L);

        var file = directory.Write("0000000001" + BufferDirectory.Extension, "12345");
        buffer.Files(); // what the replayer lists
        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Degraded);
        report.Description.Should().Contain("durable buffer");
        report.Data["bufferBytes"].Should().Be(5L);

        File.Delete(file);
        buffer.Files();
        sink.Health.Report().State.Should().Be(SinkState.Healthy);
        sink.Health.Report().Data["bufferBytes"].Should().Be(0L);
    }

    [Fact]
    public void A_drop_keeps_the_sink_degraded_for_five_minutes_also_after_an_accepted_request()
    {
        var sink = Create();
        sink.Health.RecordDropped(DropReason.Rejected, 1);
        Answer(sink, IngestResult.Accepted);

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Degraded);
        report.Description.Should().Contain("dropped security events").And.Contain("rejected 1");
        report.Data["droppedEvents"].Should().BeEquivalentTo(new Dictionary<string, long> { ["rejected"] = 1 });
        report.Data["lastDropUtc"].Should().Be(Start);

        _clock.Advance(SinkHealth.DropWindow - TimeSpan.FromTicks(1));
        sink.Health.Report().State.Should().Be(SinkState.Degraded);
        _clock.Advance(TimeSpan.FromTicks(1));
        report = sink.Health.Report();
        report.State.Should().Be(SinkState.Healthy, "the window ends on its own");
        report.Data["droppedEvents"].Should().BeEquivalentTo(new Dictionary<string, long> { ["rejected"] = 1 }, "counted since the sink started");
    }

    [Fact]
    public void The_worst_row_decides_and_every_problem_is_named()
    {
        var queue = new EventQueue(10, 2, 1_000_000);
        var sink = Create(queue);
        queue.TryAdd(Event());
        queue.TryAdd(Event());
        sink.Health.RecordDropped(DropReason.QueueFull, 3);

        Answer(sink, IngestResult.Answered(404));

        var report = sink.Health.Report();
        report.State.Should().Be(SinkState.Failing);
        report.Description.Should().Contain("404").And.Contain("queue").And.Contain("queue_full 3");
    }

    [Fact]
    public void An_audit_sink_is_judged_by_its_latest_answer_only()
    {
        var settings = SinkSettings.From(TestOptions.Create());
        var health = new SinkHealth(settings.Target, _clock);
        health.RecordDropped(DropReason.Rejected, 1);

        var report = health.Report();

        report.State.Should().Be(SinkState.Healthy);
        report.Data.Keys.Should().BeEquivalentTo("endpoint", "state", "lastSuccessUtc", "lastFailure", "lastFailureStatus", "lastFailureUtc");
    }

    [Fact]
    public void The_data_is_plain_JSON()
    {
        var sink = Create();
        Answer(sink, IngestResult.Answered(503));
        sink.Health.RecordDropped(DropReason.RetryTimeLimitExceeded, 2);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(sink.Health.Report().Data));

        var root = json.RootElement;
        root.GetProperty("state").GetString().Should().Be("degraded");
        root.GetProperty("lastFailureStatus").GetInt32().Should().Be(503);
        root.GetProperty("lastFailureUtc").GetString().Should().Be("2026-12-01T09:00:00+00:00");
        root.GetProperty("droppedEvents").GetProperty("retry_time_limit_exceeded").GetInt64().Should().Be(2);
        root.GetProperty("queuedEvents").GetInt32().Should().Be(0);
    }

    static LogEvent Event() =>
        new(Start, LogEventLevel.Warning, null, new MessageTemplateParser().Parse("x"), Array.Empty<LogEventProperty>());
}
