using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Http;

public class SinkRequestIsolationTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task TheSinksOwnRequestsAreNeitherTracedNorCarryTraceHeaders()
    {
        var httpActivities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a =>
            {
                if (a.OperationName.StartsWith("System.Net.Http", StringComparison.Ordinal))
                    httpActivities.Enqueue(a);
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var harness = await SinkHarness.StartAsync();
        var port = harness.Receiver.EnvironmentUrl.Port.ToString();

        using (new Activity("incoming request").SetIdFormat(ActivityIdFormat.W3C).Start())
            harness.Security().Warning("Event {N}", 1);
        await harness.Receiver.WaitForEventsAsync(1, Deadline);

        var request = harness.Receiver.Requests.Single();
        request.Headers.Keys.Should().NotContain(k =>
            k.Equals("traceparent", StringComparison.OrdinalIgnoreCase) ||
            k.Equals("tracestate", StringComparison.OrdinalIgnoreCase) ||
            k.Equals("Request-Id", StringComparison.OrdinalIgnoreCase));
        httpActivities.Should().NotContain(a => a.DisplayName.Contains(port) || (a.GetTagItem("server.port") ?? "").ToString() == port,
            "the sink's own requests must not feed traces back into the application's telemetry");
    }

    [Fact]
    public async Task AHugeErrorBodyIsReadOnlyAFewKilobytesDeep()
    {
        await using var harness = await SinkHarness.StartAsync(o => o.RetryTimeLimit = TimeSpan.Zero);
        var marker = Guid.NewGuid().ToString("N");
        harness.Receiver.EnqueueResponse(new ScriptedResponse
        {
            StatusCode = 422,
            Body = "{\"error\":{\"code\":422,\"message\":\"" + marker + new string('m', 4_000_000) + "\"}}",
        });

        harness.Security().Warning("Event {N}", 1);
        Eventually.True(() => harness.Fallback.Events.Count == 1, Deadline, "the event is reported");

        var lines = SelfLogCapture.Containing(marker);
        lines.Should().NotBeEmpty();
        lines.Should().OnlyContain(l => l.Length < 2_000, "error messages are bounded to a few hundred characters");
    }

    /// <summary>Answers every request with a 503 whose declared body arrives one byte a second, forever.</summary>
    internal sealed class TricklingServer : IDisposable
    {
        readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        readonly CancellationTokenSource _stop = new();

        public TricklingServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public string Url => $"http://127.0.0.1:{Port}";

        async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }

                _ = TrickleAsync(client);
            }
        }

        async Task TrickleAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var buffer = new byte[65536];
                    var read = await stream.ReadAsync(buffer, _stop.Token); // the request head; its content is not needed
                    if (read == 0)
                        return;
                    var head = Encoding.ASCII.GetBytes("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n");
                    await stream.WriteAsync(head, _stop.Token);
                    while (!_stop.IsCancellationRequested)
                    {
                        await stream.WriteAsync(new[] { (byte)' ' }, _stop.Token);
                        await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                    }
                }
                catch (Exception)
                {
                    // The client gave up or the server stopped.
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}

/// <summary>Request-isolation tests with an upper bound on elapsed time: run alone, after the parallel ones.</summary>
[Collection(TimingCollection.Name)]
public class SinkRequestIsolationTimingTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AnEndpointThatTricklesItsAnswerCannotHoldTheSinkPastTheRequestTimeout()
    {
        using var trickle = new SinkRequestIsolationTests.TricklingServer();
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = trickle.Url;
            o.RequestTimeout = TimeSpan.FromSeconds(1);
            o.RetryTimeLimit = TimeSpan.Zero;
        });

        var clock = Stopwatch.StartNew();
        harness.Security().Warning("Event {N}", 1);
        Eventually.True(() => harness.Fallback.Events.Count == 1, Deadline, "the event is reported once the request times out");

        // Without the bound the answer would take a million seconds; the slack is for a loaded machine.
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(12), "the request timeout bounds reading a never-ending answer");
    }
}
