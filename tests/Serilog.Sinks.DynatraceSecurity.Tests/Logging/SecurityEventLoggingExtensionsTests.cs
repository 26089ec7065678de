using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Logging;

using ILogger = Microsoft.Extensions.Logging.ILogger;

/// <summary>
/// <c>ILogger.BeginSecurityScope</c> and <c>ILogger.LogSecurityEvent</c> through a real Generic Host whose logging goes
/// through Serilog.Extensions.Logging to the sink and over loopback HTTP to the local receiver.
/// </summary>
public class SecurityEventLoggingExtensionsTests
{
    sealed class LoginService;

    static async Task<IReadOnlyList<ReceivedEvent>> StopAndCollect(IHost host, DynatraceIngestReceiver receiver)
    {
        await host.StopAsync();
        host.Dispose(); // disposes the Serilog logger, which delivers what is queued
        return receiver.Events;
    }

    static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task TheHelpersWorkWhateverMarkerPropertyIsConfigured()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver, sinkOptions: o => o.MarkerProperty = "Audit");
        var logger = host.Logger<LoginService>();

        using (logger.BeginSecurityScope(SecurityEventTypes.ComplianceFinding))
            logger.LogWarning("Password policy check failed for {UserName}", "alice");
        logger.LogSecurityEvent(LogLevel.Error, SecurityEventTypes.DetectionFinding, "Account {UserName} locked", "bob");
        logger.LogWarning("not marked");

        var events = await StopAndCollect(host, receiver);
        events.Select(e => e.GetString("event.type")).Should().Equal("COMPLIANCE_FINDING", "DETECTION_FINDING");
        events.Should().OnlyContain(e => e.GetString("SecurityEvent") == null);
    }

    [Fact]
    public async Task ASecurityScopeMarksItsEventsAndAddsItsAttributesUnderTheirOwnNames()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver);
        var logger = host.Logger<LoginService>();

        using (logger.BeginSecurityScope(SecurityEventTypes.DetectionFinding, new Dictionary<string, object?>
               {
                   ["actor.ips"] = new[] { "203.0.113.7", "198.51.100.4" },
                   ["object.type"] = "USER_ACCOUNT",
                   ["object.id"] = "alice",
                   ["attempt"] = 5,
               }))
        {
            logger.LogWarning("Failed login for {UserName}", "alice");
        }

        logger.LogWarning("Failed login outside any security scope: not sent");
        var received = (await StopAndCollect(host, receiver)).Should().ContainSingle().Which;

        received.GetString("event.type").Should().Be("DETECTION_FINDING");
        received.GetString("event.description").Should().Be("Failed login for alice");
        received.GetString("finding.severity").Should().Be("MEDIUM");
        Strings(received.Json.GetProperty("actor.ips")).Should().Equal("203.0.113.7", "198.51.100.4");
        received.GetString("object.type").Should().Be("USER_ACCOUNT");
        received.GetString("object.id").Should().Be("alice");
        received.Json.GetProperty("attempt").GetInt32().Should().Be(5);
        received.GetString("UserName").Should().Be("alice");
        received.GetString("SourceContext").Should().EndWith(nameof(LoginService));
        received.Json.TryGetProperty("SecurityEvent", out _).Should().BeFalse("the marker is never written");
        received.Json.TryGetProperty("Scope", out _).Should().BeFalse("a key/value scope adds no scope text");
    }

    [Fact]
    public async Task NestedScopesCombineAndTheInnermostWins()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver);
        var logger = host.Logger<LoginService>();

        using (logger.BeginSecurityScope(SecurityEventTypes.DetectionFinding, new Dictionary<string, object?>
               {
                   ["actor.ips"] = new[] { "203.0.113.7" },
                   ["object.id"] = "outer",
                   ["tenant"] = "contoso",
               }))
        using (logger.BeginScope(new Dictionary<string, object> { ["object.id"] = "inner", ["request.id"] = "r-1" }))
        {
            logger.LogWarning("in the plain inner scope");
            using (logger.BeginSecurityScope(SecurityEventTypes.VulnerabilityFinding))
                logger.LogError("in the inner security scope");
        }

        var events = await StopAndCollect(host, receiver);

        events.Select(e => e.GetString("event.type")).Should().Equal("DETECTION_FINDING", "VULNERABILITY_FINDING");
        events.Should().OnlyContain(e => e.GetString("object.id") == "inner");
        events.Should().OnlyContain(e => e.GetString("tenant") == "contoso" && e.GetString("request.id") == "r-1");
        events.Should().OnlyContain(e => Strings(e.Json.GetProperty("actor.ips")).SequenceEqual(new[] { "203.0.113.7" }));
    }

    [Fact]
    public async Task AnEventPropertyBeatsAScopeAttributeOfTheSameName()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver);
        var logger = host.Logger<LoginService>();

        using (logger.BeginSecurityScope(attributes: new[] { new KeyValuePair<string, object?>("UserName", "from the scope") }))
            logger.LogWarning("Failed login for {UserName}", "from the message");

        (await StopAndCollect(host, receiver)).Should().ContainSingle().Which.GetString("UserName").Should().Be("from the message");
    }

    [Fact]
    public async Task NonDictionaryScopesKeepTheirPropertiesAndTheScopeTextAsAnArray()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver);
        var logger = host.Logger<LoginService>();

        using (logger.BeginScope("Order {OrderId}", 42))
        using (logger.BeginScope("checkout"))
        using (logger.BeginSecurityScope())
            logger.LogWarning("Card declined three times");

        var received = (await StopAndCollect(host, receiver)).Should().ContainSingle().Which;
        received.Json.GetProperty("OrderId").GetInt32().Should().Be(42);
        Strings(received.Json.GetProperty("Scope")).Should().Equal("Order 42", "checkout");
    }

    [Fact]
    public async Task LogSecurityEventWritesAMarkedTemplatedEvent()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver);
        var logger = host.Logger<LoginService>();

        logger.LogSecurityEvent(LogLevel.Critical, SecurityEventTypes.DetectionFinding,
            "Account {UserName} locked after {Attempts} failed logins", "alice", 5);
        logger.LogSecurityEvent(LogLevel.Error, SecurityEventTypes.ComplianceFinding, new InvalidOperationException("TLS 1.0 enabled"),
            "Compliance check {CheckId} failed", "TLS-1");
        logger.LogWarning("An ordinary warning: not sent");

        var events = await StopAndCollect(host, receiver);

        events.Should().HaveCount(2);
        var locked = events[0];
        locked.GetString("event.type").Should().Be("DETECTION_FINDING");
        locked.GetString("event.description").Should().Be("Account alice locked after 5 failed logins");
        locked.GetString("finding.severity").Should().Be("CRITICAL");
        locked.GetString("UserName").Should().Be("alice");
        locked.Json.GetProperty("Attempts").ValueKind.Should().Be(JsonValueKind.Number);

        var compliance = events[1];
        compliance.GetString("event.type").Should().Be("COMPLIANCE_FINDING");
        compliance.GetString("finding.severity").Should().Be("HIGH");
        compliance.GetString("CheckId").Should().Be("TLS-1");
        compliance.GetString("exception.type").Should().Be("System.InvalidOperationException");
        compliance.GetString("exception.message").Should().Be("TLS 1.0 enabled");
    }

    [Fact]
    public async Task TheEventTypeGivenToLogSecurityEventWinsOverAnEnclosingSecurityScope()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var host = HostedLogging.Start(receiver);
        var logger = host.Logger<LoginService>();

        using (logger.BeginSecurityScope(SecurityEventTypes.DetectionFinding, new Dictionary<string, object?> { ["object.id"] = "alice" }))
            logger.LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.VulnerabilityFinding, "Outdated library {Library}", "libfoo");

        var received = (await StopAndCollect(host, receiver)).Should().ContainSingle().Which;
        received.GetString("event.type").Should().Be("VULNERABILITY_FINDING");
        received.GetString("object.id").Should().Be("alice");
    }

    [Fact]
    public async Task UseSerilogOnTheHostBuilderWorksTheSameWay()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var host = new HostBuilder()
            .UseSerilog((_, configuration) => configuration
                .WriteTo.DynatraceSecurity(receiver.EnvironmentUrl.ToString(), receiver.AccessToken, "contoso.identity"),
                preserveStaticLogger: true)
            .Build();
        await host.StartAsync();
        var logger = host.Logger<LoginService>();

        using (logger.BeginSecurityScope(attributes: new Dictionary<string, object?> { ["actor.ips"] = new[] { "203.0.113.7" } }))
            logger.LogWarning("Failed login for {UserName}", "alice");

        var received = (await StopAndCollect(host, receiver)).Should().ContainSingle().Which;
        Strings(received.Json.GetProperty("actor.ips")).Should().Equal("203.0.113.7");
    }

    [Fact]
    public void TheStateIsReadableByAnyLoggerProvider()
    {
        var provider = new CapturingProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        var logger = factory.CreateLogger("any");

        using (logger.BeginSecurityScope(SecurityEventTypes.DetectionFinding, new Dictionary<string, object?> { ["object.id"] = "alice" }))
            logger.LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.VulnerabilityFinding, "Outdated library {Library}", "libfoo");

        provider.Message.Should().Be("Outdated library libfoo");
        provider.State.Should().Contain(new KeyValuePair<string, object?>("Library", "libfoo"))
            .And.Contain(new KeyValuePair<string, object?>("{OriginalFormat}", "Outdated library {Library}"))
            .And.Contain(new KeyValuePair<string, object?>("SecurityEvent", "VULNERABILITY_FINDING"));
        provider.Scopes.Should().ContainSingle().Which.Should().Equal(
            new KeyValuePair<string, object?>("SecurityEvent", "DETECTION_FINDING"),
            new KeyValuePair<string, object?>("object.id", "alice"));
    }

    [Fact]
    public void AnEmptyEventTypeIsRefused()
    {
        var logger = LoggerFactory.Create(_ => { }).CreateLogger("any");

        ((Action)(() => logger.BeginSecurityScope(" "))).Should().Throw<ArgumentException>().WithParameterName("eventType");
        ((Action)(() => logger.LogSecurityEvent(LogLevel.Warning, "", "x"))).Should().Throw<ArgumentException>().WithParameterName("eventType");
    }

    sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        IExternalScopeProvider? _scopes;

        public string? Message { get; private set; }
        public List<KeyValuePair<string, object?>> State { get; } = new();
        public List<List<KeyValuePair<string, object?>>> Scopes { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        sealed class CapturingLogger(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                owner.Message = formatter(state, exception);
                owner.State.AddRange((IEnumerable<KeyValuePair<string, object?>>)state!);
                owner._scopes?.ForEachScope(
                    (scope, list) => list.Add(((IEnumerable<KeyValuePair<string, object?>>)scope!).ToList()), owner.Scopes);
            }
        }
    }
}
