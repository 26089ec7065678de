using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
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
}
