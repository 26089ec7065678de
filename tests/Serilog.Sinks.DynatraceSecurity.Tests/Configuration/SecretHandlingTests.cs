using System.Diagnostics;
using System.Reflection;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Configuration;

public class SecretHandlingTests
{
    [Fact]
    public void TheOptionsNeverShowTheTokenInToStringOrTheDebugger()
    {
        var options = TestOptions.Create();

        options.ToString().Should().NotContain("SECRETPART").And.Contain("token hidden");
        typeof(DynatraceSecuritySinkOptions).GetProperty(nameof(DynatraceSecuritySinkOptions.AccessToken))!
            .GetCustomAttribute<DebuggerBrowsableAttribute>()!.State.Should().Be(DebuggerBrowsableState.Never);
        typeof(DynatraceSecuritySinkOptions).GetCustomAttribute<DebuggerDisplayAttribute>()!.Value.Should().NotContain("AccessToken");
    }

    [Fact]
    public void TheSettingsAndTheSinkNeverShowTheToken()
    {
        var settings = SinkSettings.From(TestOptions.Create());

        settings.Credentials.ToString().Should().Be("Api-Token ***");
        using var sink = new Serilog.Sinks.DynatraceSecurity.Pipeline.SecurityEventFrontSink(settings);
        sink.ToString().Should().NotContain("SECRETPART");
    }

    [Fact]
    public void RedactRemovesEveryOccurrenceOfTheToken()
    {
        var token = SinkSettings.From(TestOptions.Create()).Credentials;

        token.Redact($"header was Api-Token {TestOptions.ClassicToken}, again {TestOptions.ClassicToken}")
            .Should().Be("header was Api-Token ***, again ***");
    }

    [Fact]
    public void RedactRemovesTheStartOfATokenThatAnErrorBodyCutOff()
    {
        var token = SinkSettings.From(TestOptions.Create()).Credentials;

        // Error bodies are read up to a bound, so an echoed token can end the text half-way.
        token.Redact("the body ends with " + TestOptions.ClassicToken.Substring(0, 40)).Should().Be("the body ends with ***");
        token.Redact("a short cut dt0").Should().Be("a short cut dt0", "three characters are chance, not a token");
    }

    [Fact]
    public void RedactRemovesTheSecretPartOfATokenEchoedWithoutTheRest()
    {
        var token = SinkSettings.From(TestOptions.Create()).Credentials;
        var secretPart = TestOptions.ClassicToken.Substring(TestOptions.ClassicToken.LastIndexOf('.') + 1);

        token.Redact("unknown secret " + secretPart + " for this token").Should().Be("unknown secret *** for this token");
    }
}
