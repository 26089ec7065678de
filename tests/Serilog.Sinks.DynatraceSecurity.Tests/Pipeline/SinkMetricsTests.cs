using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Pipeline;

public class SinkMetricsTests
{
    const string Prefix = "serilog.sink.dynatrace_security.";

    [Fact]
    public async Task MetricsCountQueuedSentDroppedRetriedRequestsAndQueueLength()
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.QueueLimit = 3;
            o.BatchSizeLimit = 1;
        });
        var measurements = new ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, harness.Sink.Statistics.Meter))
                l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        // One 503 (retried), then 202s; the first request holds the queue long enough for two events to be refused.
        harness.Receiver.EnqueueResponse(new ScriptedResponse { StatusCode = 503, Delay = TimeSpan.FromMilliseconds(500) });
        harness.LogNumbered(5);
        listener.RecordObservableInstruments();
        var queueLengthWhileBusy = measurements.Where(m => m.Name == Prefix + "queue.length").Select(m => m.Value).LastOrDefault();
        await harness.Receiver.WaitForEventsAsync(3, TimeSpan.FromSeconds(15));
        Eventually.True(() => harness.Metrics.QueueLength == 0, TimeSpan.FromSeconds(15), "the queue drains");
        listener.RecordObservableInstruments();

        double Sum(string name, string? tag = null, string? value = null) => measurements
            .Where(m => m.Name == Prefix + name && (tag == null || Equals(m.Tags[tag], value)))
            .Sum(m => m.Value);

        Sum("events.queued").Should().Be(3);
        Sum("events.sent").Should().Be(3);
        Sum("events.dropped", "reason", "queue_full").Should().Be(2);
        Sum("events.retried").Should().Be(1);
        Sum("requests", "status_class", "5xx").Should().Be(1);
        Sum("requests", "status_class", "2xx").Should().Be(3);
        measurements.Count(m => m.Name == Prefix + "request.duration").Should().Be(4);
        queueLengthWhileBusy.Should().Be(3);
        measurements.Where(m => m.Name == Prefix + "queue.length").Select(m => m.Value).Last().Should().Be(0);
        measurements.Should().NotContain(m => m.Tags.Values.Any(v => v != null && v.ToString()!.Contains(harness.Receiver.AccessToken)));
    }

    [Fact]
    public async Task TwoSinksToTwoEndpointsTagEveryMeasurementWithTheirOwnEndpoint()
    {
        await using var first = await SinkHarness.StartAsync();
        await using var second = await SinkHarness.StartAsync(o => o.Endpoint = "contoso.payments");

        first.LogNumbered(2);
        second.LogNumbered(1);
        await first.Receiver.WaitForEventsAsync(2, TimeSpan.FromSeconds(15));
        await second.Receiver.WaitForEventsAsync(1, TimeSpan.FromSeconds(15));
        Eventually.True(() => first.Metrics.Sent == 2 && second.Metrics.Sent == 1, TimeSpan.FromSeconds(15), "both count their deliveries");
        _ = first.Metrics.QueueLength + second.Metrics.QueueLength; // observable instruments too

        static string?[] Endpoints(SinkMetrics metrics) => metrics.Measurements
            .Select(m => m.Tags.SingleOrDefault(t => t.Key == "endpoint").Value as string).Distinct().ToArray();
        var firstUrl = new Uri(first.Receiver.EnvironmentUrl, "platform/ingest/custom/security.events/contoso.identity").ToString();
        var secondUrl = new Uri(second.Receiver.EnvironmentUrl, "platform/ingest/custom/security.events/contoso.payments").ToString();
        Endpoints(first.Metrics).Should().Equal(new[] { firstUrl }, "every measurement, counters and observed values alike, names its sink's ingest URL");
        Endpoints(second.Metrics).Should().Equal(secondUrl);
        first.Metrics.Measurements.Select(m => m.Name).Should().Contain(new[] { Prefix + "events.queued", Prefix + "events.sent", Prefix + "requests",
            Prefix + "request.duration", Prefix + "queue.length" });
    }

    [Fact]
    public void EveryDropReasonHasItsNameInSnakeCaseAsItsTag()
    {
        foreach (DropReason reason in Enum.GetValues(typeof(DropReason)))
            SinkStatistics.Tag(reason).Should().Be(Regex.Replace(reason.ToString(), "(?<!^)[A-Z]", "_$0").ToLowerInvariant());
    }
}
