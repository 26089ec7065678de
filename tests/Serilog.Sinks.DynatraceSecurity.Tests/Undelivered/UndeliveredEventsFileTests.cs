using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
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
    public void TwoLoggersCannotShareOneFile()
    {
        var path = PathInTemp("shared.jsonl");
        Action<DynatraceSecuritySinkOptions> configure = o =>
        {
            o.EnvironmentUrl = "https://abc12345.live.dynatrace.com";
            o.AccessToken = TestOptions.ClassicToken;
            o.UndeliveredEventsPath = path;
        };
        using var first = new LoggerConfiguration().WriteTo.DynatraceSecurity(configure).CreateLogger();

        var second = () => new LoggerConfiguration().WriteTo.DynatraceSecurity(configure).CreateLogger();

        second.Should().Throw<ArgumentException>().WithMessage("*one file per logger*");
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
