using System;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

public class EventAgeAndHintTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    static LogEvent EventAt(DateTimeOffset timestamp, int n) => new(
        timestamp, LogEventLevel.Warning, null, new MessageTemplateParser().Parse("Event {N}"),
        new[] { new LogEventProperty("N", new ScalarValue(n)) });

    [Fact]
    public async Task AnEventOlderThanDynatraceAcceptsIsReportedNotSent()
    {
        await using var harness = await SinkHarness.StartAsync();
        var security = harness.Security();

        security.Write(EventAt(DateTimeOffset.UtcNow.AddHours(-25), 1));
        security.Write(EventAt(DateTimeOffset.UtcNow.AddHours(-22), 2));
        Eventually.True(() => harness.Receiver.Events.Count == 1 && harness.Fallback.Events.Count == 1, Deadline, "both are resolved");

        harness.ReceivedNumbers().Should().Equal(2);
        SinkHarness.Numbers(harness.Fallback.Events).Should().Equal(1);
        harness.Metrics.Dropped(DropReason.TooOld).Should().Be(1);
        SelfLogCapture.Containing(harness.Receiver.EnvironmentUrl.Authority).Should().Contain(l => l.Contains("older than 23 hours"));
    }

    [Theory]
    [InlineData("contoso.identity", "openpipeline:security.events.custom:ingest", "openpipeline.events_security.custom")]
    [InlineData(null, "openpipeline:security.events:ingest", "openpipeline.events_security")]
    public async Task A403NamesThePermissionsOfEveryKindOfTokenForTheRouteInUse(string? endpoint, string permission, string scope)
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.Endpoint = endpoint;
            o.RetryTimeLimit = TimeSpan.Zero;
        });
        harness.Receiver.EnqueueResponse(ScriptedResponse.Status(403));

        harness.Security().Warning("Event {N}", 1);
        Eventually.True(() => harness.Fallback.Events.Count == 1, Deadline, "the event is reported");

        SelfLogCapture.Containing(harness.Receiver.EnvironmentUrl.Authority)
            .Should().Contain(l => l.Contains("403") && l.Contains(permission) && l.Contains("scope " + scope + ","));
    }
}
