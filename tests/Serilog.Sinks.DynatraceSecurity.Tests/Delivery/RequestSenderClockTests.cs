using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Health;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

/// <summary>
/// <see cref="RequestSender"/> on a fake clock with a scripted transport: waits, deadlines and ages are checked to the
/// tick, and no test sleeps.
/// </summary>
public sealed class RequestSenderClockTests : IDisposable
{
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    readonly ScriptedTransport _transport;
    readonly Listener _listener = new();
    readonly ShutdownSignal _shutdown;
    readonly HttpIngestClient _client;
    readonly RequestSender _sender;

    public RequestSenderClockTests()
        : this(oauth: false)
    {
    }

    RequestSenderClockTests(bool oauth)
    {
        _transport = new ScriptedTransport(_clock);
        var settings = SinkSettings.From(TestOptions.Create(o =>
        {
            o.RetryTimeLimit = TimeSpan.FromMinutes(10);
            o.MessageHandler = _transport;
            if (!oauth)
                return;
            o.AccessToken = null;
            o.OAuthClientId = "dt0s02.SCRIPTED";
            o.OAuthClientSecret = "dt0s02.SCRIPTED.SECRET";
            o.OAuthTokenUrl = "https://sso.example.com/sso/oauth2/token";
        }));
        _client = new HttpIngestClient(settings, _clock);
        var queue = new EventQueue(1000, 1000, 1_000_000);
        var statistics = new SinkStatistics(queue, new SinkHealth(settings.Target, _clock, queue));
        var reporter = new FailureReporter("test", statistics, _clock);
        reporter.SetListener(_listener);
        _shutdown = new ShutdownSignal(TimeSpan.FromSeconds(10), _clock);
        // Jitter 1.0: every backoff is its ceiling (1 s, 2 s, 4 s, ...), so the expected times are exact.
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), () => 0.9999999);
        _sender = new RequestSender(_client, settings, DeliveryMode.Live, reporter, statistics, _shutdown, new EndpointState(_clock), _clock, backoff);
    }

    static FormattedBatch Batch(params DateTimeOffset[] timestamps)
    {
        var batch = new FormattedBatch();
        for (var i = 0; i < timestamps.Length; i++)
        {
            var logEvent = new LogEvent(timestamps[i], LogEventLevel.Warning, null, new MessageTemplateParser().Parse("Event {N}"),
                new[] { new LogEventProperty("N", new ScalarValue(i)) });
            batch.Add(logEvent, Encoding.UTF8.GetBytes("{\"N\":" + i + "}"));
        }

        return batch;
    }

    FormattedBatch BatchOf(int count) => Batch(Enumerable.Repeat(_clock.GetUtcNow(), count).ToArray());

    /// <summary>Moves the fake clock on in small steps until <paramref name="task"/> completes.</summary>
    async Task RunAsync(Task task, TimeSpan step, TimeSpan limit)
    {
        var advanced = TimeSpan.Zero;
        while (!task.IsCompleted)
        {
            advanced.Should().BeLessThan(limit, "the sender finishes within the simulated time");
            await Task.Yield();
            if (task.IsCompleted)
                break;
            _clock.Advance(step);
            advanced += step;
        }

        await task;
    }

    [Fact]
    public async Task RetriesWaitTheBackoffOnTheClockAndResendTheSameBytes()
    {
        _transport.Script(503, 503, 202);
        using var batch = BatchOf(3);
        var start = _clock.GetUtcNow();

        await RunAsync(_sender.SendAsync(batch), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));

        _transport.Calls.Select(c => c.At - start).Should().Equal(TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        _transport.Calls.Select(c => Encoding.UTF8.GetString(c.Body)).Distinct().Should().ContainSingle("every retry sends the same bytes");
        _listener.Dropped.Should().BeEmpty();
        _listener.Temporary.Should().Be(2);
    }

    [Fact]
    public async Task A401AfterTheClientRenewedTheOAuthTokenIsAFailedAttemptRetriedLater()
    {
        using var oauth = new RequestSenderClockTests(oauth: true);
        // The client sends the refused request again at once with a new token; refused again, it is a failed attempt.
        oauth._transport.Script(401, 401, 202);
        using var batch = oauth.BatchOf(1);
        var start = oauth._clock.GetUtcNow();

        await oauth.RunAsync(oauth._sender.SendAsync(batch), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));

        oauth._transport.Calls.Select(c => c.At - start).Should().Equal(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        oauth._listener.Temporary.Should().Be(1);
        oauth._listener.Dropped.Should().BeEmpty();
    }

    [Fact]
    public async Task AFailedTokenRequestDropsNothingAndIsRetriedUntilTheRetryTimeLimit()
    {
        using var oauth = new RequestSenderClockTests(oauth: true);
        oauth._transport.ScriptToken(503);
        oauth._transport.ScriptToken(400, "invalid_scope", "no");
        for (var i = 0; i < 100; i++)
            oauth._transport.ScriptToken(401, "invalid_client", "wrong secret");
        using var batch = oauth.BatchOf(2);

        await oauth.RunAsync(oauth._sender.SendAsync(batch), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));

        oauth._listener.Dropped.Should().ContainSingle().Which.Should().Be((LoggingFailureKind.Permanent, 2), "given up after retryTimeLimit, once");
        oauth._listener.Temporary.Should().BeGreaterThan(2);
        oauth._transport.Calls.Should().BeEmpty("without a token nothing is posted");
    }

    [Fact]
    public async Task TransientFailuresAreGivenUpAtTheRetryTimeLimitAndReportedOnce()
    {
        _transport.Script(Enumerable.Repeat(503, 100).ToArray());
        using var batch = BatchOf(2);
        var start = _clock.GetUtcNow();

        await RunAsync(_sender.SendAsync(batch), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));

        _listener.Dropped.Should().ContainSingle().Which.Should().Be((LoggingFailureKind.Permanent, 2));
        (_transport.Calls.Last().At - start).Should().BeLessThanOrEqualTo(TimeSpan.FromMinutes(10));
        _transport.Calls.Count.Should().BeInRange(10, 20, "1, 2, 4, ... 60 s apart over ten minutes");
    }

    [Fact]
    public async Task AFailingRequestIsRetriedUntilTheRetryTimeLimitHasPassedWithALastAttemptAtTheLimit()
    {
        _transport.Script(Enumerable.Repeat(503, 100).ToArray());
        using var batch = BatchOf(1);
        var start = _clock.GetUtcNow();

        await RunAsync(_sender.SendAsync(batch), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));

        // Backoffs of 1, 2, 4 ... 60 s put an attempt at 543 s; the next wait is cut to 57 s.
        (_transport.Calls.Last().At - start).Should().Be(TimeSpan.FromMinutes(10), "the last attempt comes when retryTimeLimit has passed");
        _listener.Dropped.Should().ContainSingle().Which.Should().Be((LoggingFailureKind.Permanent, 1));
    }

    [Fact]
    public async Task RetryAfterHoldsBackTheNextBatchToo()
    {
        _transport.Script(429, TimeSpan.FromSeconds(30));
        using var first = BatchOf(1);
        var start = _clock.GetUtcNow();
        await RunAsync(_sender.SendAsync(first), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        using var second = BatchOf(1);
        await RunAsync(_sender.SendAsync(second), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

        _transport.Calls.Select(c => c.At - start).Should().Equal(TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AnEventThatGrowsTooOldWhileItsRequestIsRetriedIsReportedAndTheRestStillGoes()
    {
        var now = _clock.GetUtcNow();
        using var batch = Batch(now - TimeSpan.FromHours(23) + TimeSpan.FromSeconds(30), now);
        _transport.Script(Enumerable.Repeat(503, 5).Append(202).ToArray());

        await RunAsync(_sender.SendAsync(batch), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        _listener.Dropped.Should().ContainSingle().Which.Should().Be((LoggingFailureKind.Permanent, 1));
        _listener.DroppedNumbers.Should().Equal(0);
        Encoding.UTF8.GetString(_transport.Calls.Last().Body).Should().Be("[{\"N\":1}]");
    }

    [Fact]
    public async Task ShutdownCutsTheWaitShortAndAFailedLastAttemptReportsTheRestAsFinal()
    {
        _transport.Script(503, 503);
        using var batch = BatchOf(1);
        var sending = _sender.SendAsync(batch);
        await Task.Yield();
        _transport.Calls.Should().ContainSingle("the first attempt failed and the sender waits 1 s");

        _shutdown.Begin();
        await sending.WaitAsync(TimeSpan.FromSeconds(10));

        _transport.Calls.Should().HaveCount(2, "the wait ended at once: one last attempt");
        _listener.Dropped.Should().ContainSingle().Which.Should().Be((LoggingFailureKind.Final, 1));
    }

    public void Dispose()
    {
        _sender.Dispose();
        _client.Dispose();
    }

    sealed class Listener : ILoggingFailureListener
    {
        public List<(LoggingFailureKind Kind, int Count)> Dropped { get; } = new();
        public List<int> DroppedNumbers { get; } = new();
        public int Temporary { get; private set; }

        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
        {
            if (kind == LoggingFailureKind.Temporary)
            {
                Temporary++;
                return;
            }

            Dropped.Add((kind, events?.Count ?? 0));
            DroppedNumbers.AddRange(events!.Select(e => (int)((ScalarValue)e.Properties["N"]).Value!));
        }
    }
}
