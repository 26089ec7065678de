using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Examples.Tests;

/// <summary>Each example runs out of the box against the local receiver and sends what its comments say.</summary>
public class ExampleTests
{
    static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>The fields Dynatrace's Threats &amp; Exploits app needs to show a finding.</summary>
    static readonly string[] SecurityAppFields =
    {
        "event.id", "event.provider", "finding.type", "finding.id", "finding.time.created", "finding.title",
        "dt.security.risk.level", "object.id", "object.type",
    };

    static void ShouldBeCompleteFindings(ExampleRun run)
    {
        foreach (var received in run.Events)
        {
            foreach (var field in SecurityAppFields)
                received.TryGetProperty(field, out _).Should().BeTrue($"every event carries {field}: {received}");
            received.GetProperty("dt.security.risk.score").ValueKind.Should().Be(JsonValueKind.Number);
        }
    }

    [Fact]
    public async Task TheConsoleExampleSendsThreeCompleteFindings()
    {
        var run = await ExampleRun.StartAsync("Serilog.Sinks.DynatraceSecurity.Example");

        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("The local receiver accepted 3 security event(s)");
        ShouldBeCompleteFindings(run);
        run.Events.Select(e => e.GetProperty("object.type").GetString()).Should().Equal("PROCESS", "USER_ACCOUNT", "HOST");
        run.Events.Select(e => e.GetProperty("finding.type").GetString())
            .Should().Equal("Failed login for {UserName} from {ClientIp}", "Brute force", "TLS-1");
        run.Events[1].GetProperty("finding.title").GetString().Should().Be("Account locked after repeated failed logins");
        run.Events[1].GetProperty("object.id").GetString().Should().Be("alice");
        run.Events.Select(e => e.GetProperty("dt.security.risk.level").GetString()).Should().Equal("MEDIUM", "HIGH", "LOW");
    }

    [Fact]
    public async Task TheLoginApiExampleSendsFailedLoginsWithTheCallerAndTheAccount()
    {
        var run = await ExampleRun.StartAsync("Serilog.Sinks.DynatraceSecurity.LoginApi", "--demo");

        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("The local receiver accepted 4 security event(s)");
        run.Events.Select(e => e.GetProperty("event.description").GetString()).Should().Equal(
            "Failed login for alice (1 of 3)",
            "Failed login for alice (2 of 3)",
            "Failed login for alice (3 of 3)",
            "Account alice locked after 3 failed logins");
        run.Events.Should().OnlyContain(e =>
            e.GetProperty("event.type").GetString() == "DETECTION_FINDING" &&
            Strings(e.GetProperty("actor.ips")).SequenceEqual(new[] { "127.0.0.1" }) &&
            e.GetProperty("object.id").GetString() == "alice" &&
            e.GetProperty("object.type").GetString() == "USER_ACCOUNT" &&
            e.GetProperty("event.provider").GetString() == "Contoso.Identity" &&
            e.GetProperty("deployment.environment").GetString() == "example");
        run.Events.Select(e => e.GetProperty("finding.severity").GetString()).Should().Equal("MEDIUM", "MEDIUM", "MEDIUM", "HIGH");
        run.Events.Select(e => e.GetProperty("finding.type").GetString())
            .Should().Equal("FailedLogin", "FailedLogin", "FailedLogin", "AccountLocked");
        ShouldBeCompleteFindings(run);
        run.Output.Should().Contain("bob logged in", "successful logins are logged, but are not security events");
    }

    [Fact]
    public async Task TheAspNetCoreExampleReportsTheScriptedAttackInTheOwaspVocabularyAndNotTheNormalTraffic()
    {
        var run = await ExampleRun.StartAsync("Serilog.Sinks.DynatraceSecurity.AspNetCore.Example", "--demo");

        run.ExitCode.Should().Be(0, run.Output);
        ShouldBeCompleteFindings(run);
        // Every occurrence counted once: an event is one, a flood-control summary stands for event.count.
        long Occurrences(string type) => run.Events.Where(e => e.GetProperty("finding.type").GetString() == type)
            .Sum(e => e.TryGetProperty("event.count", out var count) ? count.GetInt64() : 1);
        Occurrences("authn_login_fail").Should().Be(5, run.Output);
        Occurrences("authn_login_lock").Should().Be(1);
        Occurrences("authn_token_invalid").Should().Be(3);
        Occurrences("authz_fail").Should().Be(1);
        Occurrences("excess_rate_limit_exceeded").Should().Be(6);
        Occurrences("input_validation_fail").Should().Be(1);
        run.Events.Where(e => e.TryGetProperty("event.count", out _)).Should().HaveCount(2, "MaxEvents is 3: the sign-ins and the scraper are summarised");
        run.Events.Where(e => e.GetProperty("finding.type").GetString() == "authn_token_invalid")
            .Select(e => e.GetProperty("event.reason").GetString()).Should().BeEquivalentTo("invalid_signature", "expired", "malformed");
        run.Events.SelectMany(e => Strings(e.GetProperty("actor.ips"))).Should().NotContain("192.0.2.60", "normal traffic is not reported");
        run.Output.Should().Contain("The local receiver accepted 14 security event(s)");
        var health = run.Output.Split('\n').Single(line => line.StartsWith("GET /health: ", StringComparison.Ordinal));
        health.Should().StartWith("GET /health: 200 ", "the sink delivers, so its health check is Healthy");
        using var report = JsonDocument.Parse(health.Substring(health.IndexOf('{')));
        var check = report.RootElement.GetProperty("checks").GetProperty("dynatrace-security");
        check.GetProperty("status").GetString().Should().Be("Healthy");
        check.GetProperty("data").EnumerateObject().Single().Value.GetProperty("endpoint").GetString().Should().Contain("/platform/ingest/");
    }

    [Fact]
    public async Task TheWorkerExampleSendsItsFindingsAndTheScan()
    {
        var run = await ExampleRun.StartAsync("Serilog.Sinks.DynatraceSecurity.Worker");

        run.ExitCode.Should().Be(0, run.Output);
        run.Output.Should().Contain("The local receiver accepted 3 security event(s)");
        run.Events.Select(e => e.GetProperty("event.type").GetString())
            .Should().Equal("VULNERABILITY_FINDING", "VULNERABILITY_FINDING", "VULNERABILITY_SCAN");
        run.Events.Select(e => e.GetProperty("finding.severity").GetString()).Should().Equal("HIGH", "CRITICAL", "LOW");
        var findings = run.Events.Take(2).ToList();
        findings.Select(e => Strings(e.GetProperty("vulnerability.references.cve")).Single())
            .Should().Equal("CVE-2024-0001", "CVE-2023-4242");
        findings.Should().OnlyContain(e => e.GetProperty("scan.id").GetString() == run.Events[2].GetProperty("ScanId").GetString());
        run.Events.Should().OnlyContain(e => e.GetProperty("product.name").GetString() == "Contoso Dependency Scanner");
        run.Events.Should().OnlyContain(e => e.GetProperty("object.type").GetString() == "CODE_ARTIFACT" &&
                                              e.GetProperty("object.id").GetString() == "Contoso.Identity.Service");
        findings.Should().OnlyContain(e => e.GetProperty("finding.type").GetString() == "DEPENDENCY_VULNERABILITY");
        ShouldBeCompleteFindings(run);
    }
}
