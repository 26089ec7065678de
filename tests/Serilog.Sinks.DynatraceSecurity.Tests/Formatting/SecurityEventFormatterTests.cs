using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using FluentAssertions;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

public class SecurityEventFormatterTests
{
    [Fact]
    public void RepresentativeEventBecomesTheDocumentedFlatObject()
    {
        var eventId = Guid.Parse("6d1f0c5e-9b2a-4f7c-8e3d-2a1b0c9f8e7d");
        var failure = CreateThrownException();
        using var activity = new Activity("login").SetIdFormat(ActivityIdFormat.W3C).Start();

        var logEvent = Capture.Event(log => log
            .ForSecurityEvent(SecurityEventTypes.DetectionFinding)
            .ForContext("Attempt", 5)
            .ForContext("Locked", false)
            .ForContext("Score", 7.5)
            .ForContext("User", new { Name = "alice", Roles = new[] { "admin", "ops" } }, destructureObjects: true)
            .Warning(failure, "Failed login for {UserName} from {ClientIp}", "alice", "203.0.113.7"));

        var json = Json.Format(logEvent, o =>
        {
            o.EventProvider = "Contoso.Identity";
            o.ProductName = "Contoso Identity Service";
            o.ProductVendor = "Contoso";
            o.StaticAttributes = new Dictionary<string, string> { ["deployment.environment"] = "prod" };
        }, eventId);

        Json.Keys(json).Should().Equal(
            "timestamp", "event.kind", "event.type", "event.id", "event.description",
            "event.provider", "product.name", "product.vendor",
            "finding.id", "finding.type", "finding.title", "finding.time.created", "finding.severity",
            "dt.security.risk.level", "dt.security.risk.score", "object.type", "object.id",
            "exception.type", "exception.message", "exception.stack_trace", "trace.id", "span.id",
            // Properties follow in the order the event holds them (Serilog puts the template's first, then the
            // contexts from the innermost out), flattened; static attributes come last.
            "UserName", "ClientIp", "User.Name", "User.Roles", "Score", "Locked", "Attempt",
            "deployment.environment");

        json.GetProperty("timestamp").GetString().Should().Be(logEvent.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"));
        json.GetProperty("event.kind").GetString().Should().Be("SECURITY_EVENT");
        json.GetProperty("event.type").GetString().Should().Be("DETECTION_FINDING");
        json.GetProperty("event.id").GetString().Should().Be("6d1f0c5e9b2a4f7c8e3d2a1b0c9f8e7d");
        json.GetProperty("event.description").GetString().Should().Be("Failed login for alice from 203.0.113.7");
        json.GetProperty("event.provider").GetString().Should().Be("Contoso.Identity");
        json.GetProperty("product.name").GetString().Should().Be("Contoso Identity Service");
        json.GetProperty("product.vendor").GetString().Should().Be("Contoso");
        json.GetProperty("finding.id").GetString().Should().Be("6d1f0c5e9b2a4f7c8e3d2a1b0c9f8e7d");
        json.GetProperty("finding.type").GetString().Should().Be("Failed login for {UserName} from {ClientIp}");
        json.GetProperty("finding.title").GetString().Should().Be("Failed login for alice from 203.0.113.7");
        json.GetProperty("finding.time.created").GetString().Should().Be(json.GetProperty("timestamp").GetString());
        json.GetProperty("finding.severity").GetString().Should().Be("MEDIUM");
        json.GetProperty("dt.security.risk.level").GetString().Should().Be("MEDIUM");
        json.GetProperty("dt.security.risk.score").GetRawText().Should().Be("5.5");
        json.GetProperty("object.type").GetString().Should().Be("PROCESS");
        json.GetProperty("object.id").GetString().Should().Be("Contoso.Identity");
        json.GetProperty("exception.type").GetString().Should().Be(typeof(InvalidOperationException).FullName);
        json.GetProperty("exception.message").GetString().Should().Be("account locked");
        json.GetProperty("exception.stack_trace").GetString().Should().Contain("account locked").And.Contain(nameof(CreateThrownException));
        json.GetProperty("trace.id").GetString().Should().Be(activity.TraceId.ToHexString());
        json.GetProperty("span.id").GetString().Should().Be(activity.SpanId.ToHexString());
        json.GetProperty("Attempt").ValueKind.Should().Be(JsonValueKind.Number);
        json.GetProperty("Attempt").GetInt32().Should().Be(5);
        json.GetProperty("Locked").ValueKind.Should().Be(JsonValueKind.False);
        json.GetProperty("Score").GetDouble().Should().Be(7.5);
        json.GetProperty("User.Name").GetString().Should().Be("alice");
        json.GetProperty("User.Roles").EnumerateArray().Select(e => e.GetString()).Should().Equal("admin", "ops");
        json.GetProperty("UserName").GetString().Should().Be("alice");
        json.GetProperty("ClientIp").GetString().Should().Be("203.0.113.7");
        json.GetProperty("deployment.environment").GetString().Should().Be("prod");
    }

    [Fact]
    public void TimestampIsUtcRfc3339WithMillisecondsOrBetter()
    {
        var local = new DateTimeOffset(2026, 11, 27, 11, 15, 2, 123, TimeSpan.FromHours(1));
        var logEvent = new LogEvent(local, LogEventLevel.Warning, null, MessageTemplate.Empty,
            new[] { new LogEventProperty("SecurityEvent", new ScalarValue(true)) });

        Json.Format(logEvent).GetProperty("timestamp").GetString().Should().Be("2026-11-27T10:15:02.123Z");
    }

    [Theory]
    [InlineData(LogEventLevel.Fatal, "CRITICAL")]
    [InlineData(LogEventLevel.Error, "HIGH")]
    [InlineData(LogEventLevel.Warning, "MEDIUM")]
    [InlineData(LogEventLevel.Information, "LOW")]
    [InlineData(LogEventLevel.Debug, "LOW")]
    [InlineData(LogEventLevel.Verbose, "LOW")]
    public void SeverityFollowsTheLevel(LogEventLevel level, string severity)
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent().Write(level, "x"));
        Json.Format(logEvent).GetProperty("finding.severity").GetString().Should().Be(severity);
    }

    [Fact]
    public void MarkerTrueUsesTheDefaultEventTypeAndIsNotWritten()
    {
        var logEvent = Capture.Event(log => log.ForContext("SecurityEvent", true).Warning("x"));

        var json = Json.Format(logEvent, o => o.DefaultEventType = SecurityEventTypes.ComplianceFinding);

        json.GetProperty("event.type").GetString().Should().Be("COMPLIANCE_FINDING");
        json.TryGetProperty("SecurityEvent", out _).Should().BeFalse();
    }

    [Fact]
    public void MarkerStringIsTheEventType()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent(SecurityEventTypes.VulnerabilityFinding).Error("x"));
        Json.Format(logEvent).GetProperty("event.type").GetString().Should().Be("VULNERABILITY_FINDING");
    }

    [Fact]
    public void CustomMarkerPropertyIsReadAndNotWritten()
    {
        var logEvent = Capture.Event(log => log.ForContext("Audit", "COMPLIANCE_SCAN_COMPLETED").Information("x"));

        var json = Json.Format(logEvent, o => o.MarkerProperty = "Audit");

        json.GetProperty("event.type").GetString().Should().Be("COMPLIANCE_SCAN_COMPLETED");
        json.TryGetProperty("Audit", out _).Should().BeFalse();
    }

    [Fact]
    public void DescriptionRendersStringsUnquotedAndOtherValuesInvariantly()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .Warning("User {User} scored {Score} at {Count,5}|{Name,-6}|", "bob", 1234.5, 3, "x"));

        Json.Format(logEvent).GetProperty("event.description").GetString()
            .Should().Be("User bob scored 1234.5 at     3|x     |");
    }

    [Fact]
    public void StructuresAndDictionariesBecomeDottedKeys()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("Request", new { Path = "/login", Client = new { Ip = "203.0.113.7", Port = 443 } }, destructureObjects: true)
            .ForContext("Headers", new Dictionary<string, object> { ["Host"] = "example.org", ["Retries"] = 2 })
            .Warning("x"));

        var json = Json.Format(logEvent);

        json.GetProperty("Request.Path").GetString().Should().Be("/login");
        json.GetProperty("Request.Client.Ip").GetString().Should().Be("203.0.113.7");
        json.GetProperty("Request.Client.Port").GetInt32().Should().Be(443);
        json.GetProperty("Headers.Host").GetString().Should().Be("example.org");
        json.GetProperty("Headers.Retries").GetInt32().Should().Be(2);
        json.TryGetProperty("Request", out _).Should().BeFalse();
    }

    [Fact]
    public void SequencesOfScalarsStayArraysAndSequencesOfStructuresBecomeArraysOfFlatObjects()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("Ips", new[] { "203.0.113.7", "198.51.100.1" })
            .ForContext("Ports", new[] { 80, 443 })
            .ForContext("Findings", new[]
            {
                new { Id = "F-1", Object = new { Type = "USER_ACCOUNT" }, Tags = new[] { "a" } },
                new { Id = "F-2", Object = new { Type = "HOST" }, Tags = Array.Empty<string>() },
            }, destructureObjects: true)
            .Warning("x"));

        var json = Json.Format(logEvent);

        json.GetProperty("Ips").EnumerateArray().Select(e => e.GetString()).Should().Equal("203.0.113.7", "198.51.100.1");
        json.GetProperty("Ports").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(80, 443);
        var findings = json.GetProperty("Findings").EnumerateArray().ToList();
        findings.Should().HaveCount(2);
        Json.Keys(findings[0]).Should().Equal("Id", "Object.Type", "Tags");
        findings[0].GetProperty("Object.Type").GetString().Should().Be("USER_ACCOUNT");
        findings[0].GetProperty("Tags").EnumerateArray().Select(e => e.GetString()).Should().Equal("a");
        findings[1].GetProperty("Object.Type").GetString().Should().Be("HOST");
    }

    [Fact]
    public void ScalarsKeepTheirJsonTypesAndUnrepresentableValuesBecomeStrings()
    {
        var when = new DateTime(2026, 11, 27, 10, 15, 2, 123, DateTimeKind.Utc);
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("Long", long.MaxValue)
            .ForContext("Decimal", 12.50m)
            .ForContext("Null", null)
            .ForContext("True", true)
            .ForContext("NaN", double.NaN)
            .ForContext("Inf", double.PositiveInfinity)
            .ForContext("When", when)
            .ForContext("WhenOffset", new DateTimeOffset(when).ToOffset(TimeSpan.FromHours(2)))
            .ForContext("Id", Guid.Parse("6d1f0c5e-9b2a-4f7c-8e3d-2a1b0c9f8e7d"))
            .ForContext("Level", LogEventLevel.Error)
            .Warning("x"));

        var json = Json.Format(logEvent);

        json.GetProperty("Long").GetInt64().Should().Be(long.MaxValue);
        json.GetProperty("Decimal").GetDecimal().Should().Be(12.50m);
        json.GetProperty("Null").ValueKind.Should().Be(JsonValueKind.Null);
        json.GetProperty("True").ValueKind.Should().Be(JsonValueKind.True);
        json.GetProperty("NaN").GetString().Should().Be("NaN");
        json.GetProperty("Inf").GetString().Should().Be("Infinity");
        json.GetProperty("When").GetString().Should().Be("2026-11-27T10:15:02.123Z");
        json.GetProperty("WhenOffset").GetString().Should().Be("2026-11-27T10:15:02.123Z");
        json.GetProperty("Id").GetString().Should().Be("6d1f0c5e-9b2a-4f7c-8e3d-2a1b0c9f8e7d");
        json.GetProperty("Level").GetString().Should().Be("Error");
    }

    [Fact]
    public void PropertiesOverrideBuiltInFields()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("event.type", SecurityEventTypes.ComplianceFinding)
            .ForContext("event.id", "my-own-id")
            .ForContext("finding.severity", "CRITICAL")
            .ForContext("event.provider", "FromProperty")
            .Information("x"));

        var json = Json.Format(logEvent, o => o.EventProvider = "FromOptions");

        json.GetProperty("event.type").GetString().Should().Be("COMPLIANCE_FINDING");
        json.GetProperty("event.id").GetString().Should().Be("my-own-id");
        json.GetProperty("finding.severity").GetString().Should().Be("CRITICAL");
        json.GetProperty("event.provider").GetString().Should().Be("FromProperty");
        Json.Keys(json).Take(4).Should().Equal("timestamp", "event.kind", "event.type", "event.id");
    }

    [Fact]
    public void PropertyBeatsStaticAttributeBeatsDefault()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("host.name", "from-property")
            .Information("x"));

        var json = Json.Format(logEvent, o => o.StaticAttributes = new Dictionary<string, string>
        {
            ["host.name"] = "from-static",
            ["finding.severity"] = "HIGH",
        });

        json.GetProperty("host.name").GetString().Should().Be("from-property");
        json.GetProperty("finding.severity").GetString().Should().Be("HIGH");
    }

    [Fact]
    public void FlattenedKeysAreUniqueAndTheFirstWriterWins()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("User", new { Name = "from-structure" }, destructureObjects: true)
            .ForContext("User.Name", "from-dotted-property")
            .ForContext("event", new { kind = "from-structure" }, destructureObjects: true)
            .Information("x"));

        // Json.Format fails on any duplicate key.
        var json = Json.Format(logEvent);

        var firstWriter = logEvent.Properties.Keys.First(k => k.StartsWith("User", StringComparison.Ordinal));
        json.GetProperty("User.Name").GetString().Should().Be(firstWriter == "User" ? "from-structure" : "from-dotted-property");
        json.GetProperty("event.kind").GetString().Should().Be("SECURITY_EVENT");
    }

    [Fact]
    public void ValuesThatBreakDuringFormattingStillProduceValidJson()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("Lone", "a\uD800b")
            .ForContext("Control", "line\nbreak\u0001")
            .Warning(new ThrowingException(), "x"));
        // Serilog renders unknown scalars while capturing; a value held as a scalar object reaches the formatter as is.
        logEvent.AddOrUpdateProperty(new LogEventProperty("Throws", new ScalarValue(new ThrowingToString())));

        var json = Json.Format(logEvent);

        json.GetProperty("Throws").GetString().Should().Contain("InvalidOperationException");
        json.GetProperty("Lone").GetString().Should().Be("a\uFFFDb");
        json.GetProperty("Control").GetString().Should().Be("line\nbreak\u0001");
        json.GetProperty("exception.type").GetString().Should().Be(typeof(ThrowingException).FullName);
        json.GetProperty("exception.message").GetString().Should().Contain("thrown while reading");
    }

    [Fact]
    public void PropertyNamesRenamePropertiesBeforeFlattening()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("Client", new { Ip = "203.0.113.7" }, destructureObjects: true)
            .ForContext("Risk", "HIGH")
            .ForContext("event.type", "not renamed away")
            .Warning("Failed login for {UserName}", "alice"));

        var json = Json.Format(logEvent, o => o.PropertyNames = new Dictionary<string, string>
        {
            ["UserName"] = "actor.name",
            ["Client"] = "actor",
            ["Risk"] = "finding.severity",
            ["event.type"] = "original.event.type",
        });

        json.GetProperty("actor.name").GetString().Should().Be("alice");
        json.GetProperty("actor.Ip").GetString().Should().Be("203.0.113.7");
        json.GetProperty("finding.severity").GetString().Should().Be("HIGH", "a renamed property overrides the built-in field it is renamed to");
        json.GetProperty("event.type").GetString().Should().Be("DETECTION_FINDING", "a property renamed away no longer overrides");
        json.GetProperty("original.event.type").GetString().Should().Be("not renamed away");
        json.TryGetProperty("UserName", out _).Should().BeFalse();
        json.GetProperty("event.description").GetString().Should().Be("Failed login for alice", "the message renders with the original names");
    }

    [Fact]
    public void EveryEventGetsItsOwnId()
    {
        var first = Json.Format(Capture.Event(log => log.ForSecurityEvent().Warning("x")));
        var second = Json.Format(Capture.Event(log => log.ForSecurityEvent().Warning("x")));

        first.GetProperty("event.id").GetString().Should().MatchRegex("^[0-9a-f]{32}$")
            .And.NotBe(second.GetProperty("event.id").GetString());
    }

    static Exception CreateThrownException()
    {
        try
        {
            throw new InvalidOperationException("account locked");
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    sealed class ThrowingToString
    {
        public override string ToString() => throw new InvalidOperationException("boom");
    }

    sealed class ThrowingException : Exception
    {
        public override string Message => throw new NotSupportedException();
        public override string ToString() => throw new NotSupportedException();
    }
}
