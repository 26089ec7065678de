using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Undelivered;

/// <summary>
/// <c>undeliveredEventsPath</c>: what a JSON-only application keeps of the events that were not delivered, since it
/// cannot attach <c>WriteTo.FallbackChain</c>.
/// </summary>
public sealed class UndeliveredEventsFileTests : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "dt-undelivered-" + Guid.NewGuid().ToString("N"));

    string PathInTemp(string name) => Path.Combine(_directory, name);

    static JsonElement[] Lines(string path) =>
        File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    /// <summary>
    /// The records the file at <paramref name="path"/> took or said it did not: the lines in it and its predecessor,
    /// those its rolls deleted, and those counted as not written, by SelfLog's lines.
    /// </summary>
    internal static long KeptOrCounted(string path)
    {
        static long LinesIn(string file) => File.Exists(file) ? File.ReadLines(file).LongCount() : 0;
        return LinesIn(path) + LinesIn(path + ".1")
            + SelfLogCount(path, @"(\d+) older undelivered security event\(s\) in .* were deleted")
            + SelfLogCount(path, @"(\d+) undelivered security event\(s\) were not written to");
    }

    static long SelfLogCount(string path, string pattern) => SelfLogCapture.Containing(path)
        .Select(l => Regex.Match(l, pattern))
        .Where(m => m.Success)
        .Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [Fact]
    public async Task EventsRejectedByDynatraceAreKeptAsJsonLinesWhenConfiguredFromAppSettings()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.GetProperty("UserName").GetString() == "mallory" ? "attribute UserName is not allowed" : null,
        });
        var path = PathInTemp("undelivered.jsonl");
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [ { "Name": "DynatraceSecurity", "Args": {
                  "environmentUrl": "{{receiver.EnvironmentUrl}}", "accessToken": "{{receiver.AccessToken}}",
                  "endpoint": "contoso.identity", "undeliveredEventsPath": "{{path.Replace("\\", "\\\\")}}" } } ]
              }
            }
            """);

        var security = logger.ForSecurityEvent();
        security.Warning("Failed login for {UserName} with {Password}", "alice", "hunter2");
        security.Warning("Failed login for {UserName} with {Password}", "mallory", "hunter2");
        await logger.DisposeAsync();

        receiver.Events.Should().ContainSingle();
        var line = Lines(path).Should().ContainSingle().Which;
        line.GetProperty("reason").GetString().Should().Be("rejected");
        line.GetProperty("message").GetString().Should().Contain("attribute UserName is not allowed");
        var kept = line.GetProperty("event");
        kept.GetProperty("UserName").GetString().Should().Be("mallory");
        kept.GetProperty("event.type").GetString().Should().Be("DETECTION_FINDING");
        kept.GetProperty("Password").GetString().Should().Be("[REDACTED]", "the file is redacted like what is sent");
        File.ReadAllText(path).Should().NotContain("hunter2");
        var sentIds = receiver.Requests.Where(r => r.StatusCode == 400)
            .SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray())
            .Select(e => e.GetProperty("event.id").GetString());
        sentIds.Should().Contain(kept.GetProperty("event.id").GetString(),
            "the file keeps the event as it was sent, so a copy that also reached Dynatrace can be removed by event.id");
    }

    [Fact]
    public async Task AQueueFullBurstIsWrittenOrCountedAndTheFileTakesRecordsAgainAfterIt()
    {
        var path = PathInTemp("burst.jsonl");
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions
        {
            ValidateEvent = e => e.TryGetProperty("Reject", out _) ? "attribute Reject is not allowed" : null,
        });
        var listener = new CountingListener();
        var logger = new LoggerConfiguration().WriteTo.Fallible(wt => wt.DynatraceSecurity(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = receiver.AccessToken;
            o.EnrichmentDirectory = "none";
            // One event in the queue at a time: nearly every event of the burst is refused as queue-full.
            o.QueueLimit = 1;
            o.BatchSizeLimit = 1;
            o.UndeliveredEventsPath = path;
        }), listener).CreateLogger();

        // Four threads refuse ten times what the file's queue holds (10,000 records), each record estimated at about
        // 2.4 KB: what overflows it is well over its 64 MiB byte budget.
        var padding = new string('p', 2000);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            var security = logger.ForSecurityEvent();
            for (var i = 0; i < 25_000; i++)
                security.Warning("Event {N} {Padding}", t * 25_000 + i, padding);
        })));
        listener.Reported.Should().BeGreaterThan(90_000);

        // After the burst the file takes records again: its budget came back with every record that left its queue.
        var rejected = logger.ForSecurityEvent().ForContext("Reject", true);
        Eventually.True(() =>
        {
            rejected.Warning("Rejected");
            return EndWhileOpen(path).Contains("\"reason\":\"rejected\"", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15), "events rejected after the burst reach the file");
        await logger.DisposeAsync();

        KeptOrCounted(path).Should().Be(listener.Reported,
            "every event reported to the listener is in the file or counted in SelfLog as not written");
        SelfLogCapture.Containing(path).Should().Contain(l => l.Contains("were not written to") && l.Contains("more were waiting than its queue holds"));
    }

    sealed class CountingListener : ILoggingFailureListener
    {
        int _reported;

        public int Reported => Volatile.Read(ref _reported);

        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
        {
            if (kind != LoggingFailureKind.Temporary && events != null)
                Interlocked.Add(ref _reported, events.Count);
        }
    }

    /// <summary>
    /// The end of a file the sink is writing. On Unix its lock (there to refuse a second writer) refuses .NET's readers
    /// too, not other programs: <c>tail</c> reads it, as an operator would.
    /// </summary>
    static string EndWhileOpen(string path)
    {
        const int Length = 64 * 1024;
        if (OperatingSystem.IsWindows())
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - Length), SeekOrigin.Begin);
            return new StreamReader(stream).ReadToEnd();
        }

        using var tail = Process.Start(new ProcessStartInfo("tail", $"-c {Length} {path}") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = tail.StandardOutput.ReadToEnd();
        tail.WaitForExit();
        return text;
    }

    [Fact]
    public async Task TheFileRollsAndStaysWithinItsLimitSayingHowManyEventsWereDeleted()
    {
        var path = PathInTemp("rolling.jsonl");
        const long limit = 1024 * 1024;
        await using (var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = "http://127.0.0.1:9";
            o.RetryTimeLimit = TimeSpan.Zero;
            o.UndeliveredEventsPath = path;
            o.UndeliveredEventsSizeLimitBytes = limit;
        }))
        {
            harness.LogNumbered(3000, padding: new string('r', 500));
        }

        var sizes = new FileInfo(path).Length + new FileInfo(path + ".1").Length;
        sizes.Should().BeLessThanOrEqualTo(limit + 4096, "the two files stay within the limit (plus one record)");
        var kept = Lines(path + ".1").Concat(Lines(path)).Select(l => l.GetProperty("event").GetProperty("N").GetInt32()).ToArray();
        kept.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        kept.Last().Should().Be(2999, "the newest events are kept; the oldest give way");
        SelfLogCapture.Containing(path + ".1").Should().Contain(l => l.Contains("older undelivered security event(s)") && l.Contains("deleted"));
    }

    [Fact]
    public async Task RollsInABurstAreSummarisedInSelfLogWithEveryDeletedEventCounted()
    {
        var path = PathInTemp("rolls.jsonl");
        await using (var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = "http://127.0.0.1:9";
            o.RetryTimeLimit = TimeSpan.Zero;
            o.UndeliveredEventsPath = path;
            o.UndeliveredEventsSizeLimitBytes = 1024 * 1024; // rolls at 512 KiB
        }))
        {
            harness.LogNumbered(8000, padding: new string('r', 500)); // about ten rolls
        }

        var deletedLines = SelfLogCapture.Containing(path + ".1").Where(l => l.Contains("older undelivered security event(s)")).ToArray();
        deletedLines.Should().HaveCountLessThanOrEqualTo(2, "the first roll's line comes at once, the rest in one summary");
        KeptOrCounted(path).Should().Be(8000, "every event is in the files or counted as deleted");
    }

    [Fact]
    public void APathThatCannotBeWrittenFailsAtConfigurationWithWhatToFix()
    {
        Directory.CreateDirectory(_directory);
        var notADirectory = PathInTemp("a-file");
        File.WriteAllText(notADirectory, "");

        var act = () => new LoggerConfiguration().WriteTo.DynatraceSecurity(o =>
        {
            o.EnvironmentUrl = "https://abc12345.live.dynatrace.com";
            o.AccessToken = TestOptions.ClassicToken;
            o.UndeliveredEventsPath = Path.Combine(notADirectory, "undelivered.jsonl");
        });

        act.Should().Throw<ArgumentException>().WithMessage("*cannot be opened for writing*")
            .Which.ParamName.Should().Be("UndeliveredEventsPath");
    }

    [Fact]
    public async Task ASecondLoggerOrProcessWithTheSameFileRunsWithoutItAndSaysWhy()
    {
        // .NET's lock on the file is per open file (flock): a second logger of this process is refused just as a second
        // process is, so replicas sharing a volume are reproduced here.
        var path = PathInTemp("shared.jsonl");
        await using var receiver = await DynatraceIngestReceiver.StartAsync(new DynatraceIngestReceiverOptions { ValidateEvent = _ => "not allowed" });
        Action<DynatraceSecuritySinkOptions> configure = o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = receiver.AccessToken;
            o.Endpoint = "shared.file";
            o.EnrichmentDirectory = "none";
            o.UndeliveredEventsPath = path;
        };
        var first = new LoggerConfiguration().WriteTo.DynatraceSecurity(configure).CreateLogger();
        var fallback = new CollectingSink();

        var second = new LoggerConfiguration().WriteTo.FallbackChain(wt => wt.DynatraceSecurity(configure), wt => wt.Sink(fallback)).CreateLogger();

        SelfLogCapture.Containing(path).Should().ContainSingle(l => l.Contains("is being written by another process or logger")
            && l.Contains("Give each process its own file"));
        first.ForSecurityEvent().Warning("Rejected {N}", 1);
        second.ForSecurityEvent().Warning("Rejected {N}", 2);
        Eventually.True(() => fallback.Events.Count == 1, TimeSpan.FromSeconds(15), "the second logger still reports what it does not deliver");
        await second.DisposeAsync();
        await first.DisposeAsync();
        Lines(path).Select(l => l.GetProperty("event").GetProperty("N").GetInt32()).Should().Equal(new[] { 1 }, "the first logger keeps its file");
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
