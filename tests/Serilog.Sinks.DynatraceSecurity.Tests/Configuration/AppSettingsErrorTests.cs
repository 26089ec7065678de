using System;
using System.Reflection;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Configuration;

/// <summary>
/// What a user sees at startup for a mistake in appsettings.json. Serilog.Settings.Configuration calls the sink's
/// configuration method through reflection, so the sink's <see cref="ArgumentException"/> arrives wrapped in a
/// <see cref="TargetInvocationException"/>; its message is the inner exception's, and both the exception's text (what
/// an unhandled exception prints) and the inner exception say what to fix. Nothing is ever silently left out.
/// </summary>
public class AppSettingsErrorTests
{
    const string Token = TestOptions.ClassicToken;

    static string Json(string args, string section = "WriteTo") => $$"""
        {
          "Serilog": {
            "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
            "{{section}}": [ { "Name": "DynatraceSecurity", "Args": { {{args}} } } ]
          }
        }
        """;

    static ArgumentException StartupFails(string json)
    {
        var act = () => AppSettings.CreateLogger(json).Dispose();
        var thrown = act.Should().Throw<Exception>().Which;
        thrown.ToString().Should().NotContain(Token).And.NotContain("SECRETPART");

        var cause = thrown is TargetInvocationException { InnerException: { } inner } ? inner : thrown;
        cause.Should().BeAssignableTo<ArgumentException>();
        thrown.ToString().Should().Contain(cause.Message, "an unhandled exception prints the inner message too");
        return (ArgumentException)cause;
    }

    [Fact]
    public void ANegativeLimitNamesTheOptionAndTheRule()
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "batchSizeLimit": -1
            """));

        cause.Should().BeOfType<ArgumentOutOfRangeException>();
        cause.ParamName.Should().Be("BatchSizeLimit");
        cause.Message.Should().Contain("BatchSizeLimit must be between 1 and 100000");
    }

    [Fact]
    public void AnEmptyBufferPathInJsonIsRefusedRatherThanTakenAsNoBuffer()
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "bufferPath": ""
            """));

        cause.ParamName.Should().Be("BufferPath");
        cause.Message.Should().Contain("BufferPath must be a directory path, or null (left out) for no durable buffer");
    }

    [Theory]
    [InlineData("bufferingTimeLimit", "365.00:00:00", "at most 01:00:00")]
    [InlineData("requestTimeout", "365.00:00:00", "at most 00:10:00")]
    [InlineData("retryTimeLimit", "2.00:00:00", "at most 23:00:00")]
    public void ATimeBeyondItsMaximumFailsAtStartupNotLater(string name, string value, string expected)
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "{{name}}": "{{value}}"
            """));

        cause.ParamName.Should().BeEquivalentTo(name);
        cause.Message.Should().Contain(expected);
    }

    [Theory]
    [InlineData("ftp://abc12345.live.dynatrace.com", "https://abc12345.live.dynatrace.com")]
    [InlineData("abc12345.live.dynatrace.com", "https://abc12345.live.dynatrace.com")]
    [InlineData("http://abc12345.live.dynatrace.com", "Use https")]
    public void ABadUrlSaysWhatAUrlMustLookLike(string url, string expected)
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "{{url}}", "accessToken": "{{Token}}"
            """));

        cause.ParamName.Should().Be("EnvironmentUrl");
        cause.Message.Should().Contain(expected);
    }

    [Theory]
    [InlineData("\"accessToken\": \"dt0c01.X\", \"endpoint\": \"contoso.identity\"")]
    [InlineData("\"environmentUrI\": \"https://abc12345.live.dynatrace.com\", \"accessToken\": \"dt0c01.X\"")]
    public void AMissingOrMisspelledUrlFailsInsteadOfAddingNoSink(string args)
    {
        // Without a default for environmentUrl, Serilog.Settings.Configuration would find no matching method, write
        // one SelfLog line and build a logger without the sink.
        var cause = StartupFails(Json(args));

        cause.ParamName.Should().Be("EnvironmentUrl");
        cause.Message.Should().Contain("The Dynatrace environment URL is required");
    }

    [Fact]
    public void AMissingTokenPointsAtAccessTokenAndTheEnvironmentVariable()
    {
        var cause = StartupFails(Json("\"environmentUrl\": \"https://abc12345.live.dynatrace.com\""));

        cause.ParamName.Should().Be("AccessToken");
        // Another test sets DT_ACCESS_TOKEN to a malformed value for a moment; either way the message is about the token.
        cause.Message.Should().Contain("access token");
    }

    [Fact]
    public void AnInvalidEndpointNameSaysWhichCharactersAreAllowed()
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "endpoint": "contoso/identity"
            """));

        cause.ParamName.Should().Be("Endpoint");
        cause.Message.Should().Contain("letters, digits and dots");
    }

    [Fact]
    public void AnUnknownRouteNamesTheValue()
    {
        // Serilog.Settings.Configuration converts enum values itself (Enum.Parse, ignoring case) before the sink is
        // called, so this message is its own: it quotes the value but cannot list the valid ones (see docs/options.md).
        var act = () => AppSettings.CreateLogger(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "route": "SecurityEventz"
            """)).Dispose();

        act.Should().Throw<ArgumentException>().WithMessage("*'SecurityEventz'*");
    }

    [Fact]
    public void ANumericRouteThatIsNotARouteIsRefusedByTheSink()
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "route": "7"
            """));

        cause.Message.Should().Contain("SecurityEvents or LegacyEventsSecurity");
    }

    [Fact]
    public void AnUnreadableTimeSpanNamesTheValue()
    {
        var act = () => AppSettings.CreateLogger(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "bufferingTimeLimit": "5 seconds"
            """)).Dispose();

        act.Should().Throw<FormatException>().WithMessage("*'5 seconds'*");
    }

    [Fact]
    public void AnEventLimitLargerThanARequestNamesBothOptionsInsteadOfBeingCutQuietly()
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "batchSizeLimitBytes": 100000,
            "eventBodyLimitBytes": 262144
            """));

        cause.ParamName.Should().Be("EventBodyLimitBytes");
        cause.Message.Should().Contain("BatchSizeLimitBytes (100000)").And.Contain("at most 99998").And.Contain("raise BatchSizeLimitBytes");
    }

    [Theory]
    [InlineData("\"enrichmentDirectory\": \"\"", "EnrichmentDirectory", "write \"none\"")]
    [InlineData("\"redactedProperties\": [ \"\" ]", "RedactedProperties", "pass an empty list ([] in JSON)")]
    [InlineData("\"redactedProperties\": [ \"ssn\", \" \" ]", "RedactedProperties", "must not contain an empty name")]
    public void AnEmptyStringThatUsedToMeanOffSaysHowToSayOff(string args, string option, string fix)
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", {{args}}
            """));

        cause.ParamName.Should().Be(option);
        cause.Message.Should().Contain(fix);
    }

    [Fact]
    public void AuditToReportsMistakesTheSameWay()
    {
        var cause = StartupFails(Json($$"""
            "environmentUrl": "https://abc12345.live.dynatrace.com", "accessToken": "{{Token}}", "endpoint": "contoso..identity"
            """, section: "AuditTo"));

        cause.ParamName.Should().Be("Endpoint");
    }
}
