using System;
using System.Collections.Generic;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

public class RedactionTests
{
    [Fact]
    public void DefaultNamesAreMaskedAtAnyDepthInDictionariesArraysAndTheMessage()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("Request", new
            {
                Path = "/login",
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer abc", ["Set-Cookie"] = "s=1", ["Host"] = "x" },
                Credentials = new[] { new { User = "alice", PASSWORD = "hunter2" } },
            }, destructureObjects: true)
            .ForContext("db.connectionString", "Server=x;Password=y")
            .ForContext("ApiKey", "k-123")
            .Warning("Login {User} with {Password} from {Request}", "alice", "hunter2"));

        var json = Json.Format(logEvent);
        var raw = json.GetRawText();

        raw.Should().NotContain("hunter2").And.NotContain("Bearer abc").And.NotContain("s=1").And.NotContain("Password=y").And.NotContain("k-123");
        json.GetProperty("Password").GetString().Should().Be("[REDACTED]");
        json.GetProperty("Request.Headers.Authorization").GetString().Should().Be("[REDACTED]");
        json.GetProperty("Request.Headers.Set-Cookie").GetString().Should().Be("[REDACTED]");
        json.GetProperty("Request.Headers.Host").GetString().Should().Be("x");
        json.GetProperty("Request.Credentials")[0].GetProperty("PASSWORD").GetString().Should().Be("[REDACTED]");
        json.GetProperty("db.connectionString").GetString().Should().Be("[REDACTED]");
        json.GetProperty("ApiKey").GetString().Should().Be("[REDACTED]");
        json.GetProperty("event.description").GetString().Should().StartWith("Login alice with [REDACTED] from ");
    }

    [Fact]
    public void AStructureUnderARedactedNameIsMaskedWhole()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("Secret", new { Value = "v", Version = 2 }, destructureObjects: true)
            .Warning("x"));

        var json = Json.Format(logEvent);

        json.GetProperty("Secret").GetString().Should().Be("[REDACTED]");
        json.TryGetProperty("Secret.Value", out _).Should().BeFalse();
    }

    [Fact]
    public void AStaticAttributeWithARedactedNameIsMasked()
    {
        var json = Json.Format(Capture.Event(log => log.ForSecurityEvent().Warning("x")),
            o => o.StaticAttributes = new Dictionary<string, string> { ["service.token"] = "t-1" });

        json.GetProperty("service.token").GetString().Should().Be("[REDACTED]");
    }

    [Fact]
    public void ACustomListReplacesTheDefaultsCaseInsensitively()
    {
        var logEvent = Capture.Event(log => log.ForSecurityEvent()
            .ForContext("Ssn", "123-45-6789")
            .ForContext("UserEmail", "a@example.org")
            .ForContext("Password", "kept because the list was replaced")
            .Warning("x"));

        var json = Json.Format(logEvent, o => o.RedactedProperties = new[] { "useremail", "SSN" });

        json.GetProperty("Ssn").GetString().Should().Be("[REDACTED]");
        json.GetProperty("UserEmail").GetString().Should().Be("[REDACTED]");
        json.GetProperty("Password").GetString().Should().Be("kept because the list was replaced");
    }

    [Fact]
    public void AnEmptyListTurnsRedactionOff()
    {
        var json = Json.Format(Capture.Event(log => log.ForSecurityEvent().ForContext("Token", "t").Warning("x")),
            o => o.RedactedProperties = Array.Empty<string>());

        json.GetProperty("Token").GetString().Should().Be("t");
    }

    [Fact]
    public void TheDefaultsCanBeExtendedInCode()
    {
        var json = Json.Format(Capture.Event(log => log.ForSecurityEvent().ForContext("Token", "t").ForContext("Iban", "DE00").Warning("x")),
            o => o.RedactedProperties = new List<string>(DynatraceSecuritySinkOptions.DefaultRedactedProperties) { "iban" }.ToArray());

        json.GetProperty("Token").GetString().Should().Be("[REDACTED]");
        json.GetProperty("Iban").GetString().Should().Be("[REDACTED]");
    }

    [Fact]
    public void TheDefaultListCannotBeChangedByACast()
    {
        // A cast to string[] (or IList) would let one part of an application turn redaction off for every other.
        DynatraceSecuritySinkOptions.DefaultRedactedProperties.Should().NotBeAssignableTo<string[]>();
        var list = (System.Collections.Generic.IList<string>)DynatraceSecuritySinkOptions.DefaultRedactedProperties;
        list.IsReadOnly.Should().BeTrue();
        FluentActions.Invoking(() => list[0] = "nothing").Should().Throw<System.NotSupportedException>();
    }
}
