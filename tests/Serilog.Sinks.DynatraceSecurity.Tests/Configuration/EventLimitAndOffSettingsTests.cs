using System;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Configuration;

/// <summary>
/// A setting that cannot take effect fails at configuration with what to fix, rather than being changed quietly; and
/// "off" is said in words (<c>"none"</c>, an empty list), never with an empty string.
/// </summary>
public class EventLimitAndOffSettingsTests
{
    static ArgumentException Refused(Action<DynatraceSecuritySinkOptions> configure)
    {
        var act = () => SinkSettings.From(TestOptions.Create(configure));
        return act.Should().Throw<ArgumentException>().Which;
    }

    [Theory]
    [InlineData(10_000, 9_999)]
    [InlineData(10_000, 10_000)]
    [InlineData(1_000_000, 1_000_000)]
    public void AnEventLimitThatDoesNotFitARequestNamesBothOptionsAndTheLargestThatFits(int batchBytes, int eventBytes)
    {
        var refused = Refused(o =>
        {
            o.BatchSizeLimitBytes = batchBytes;
            o.EventBodyLimitBytes = eventBytes;
        });

        refused.ParamName.Should().Be("EventBodyLimitBytes");
        refused.Message.Should().Contain($"EventBodyLimitBytes ({eventBytes})").And.Contain($"BatchSizeLimitBytes ({batchBytes})")
            .And.Contain($"at most {batchBytes - 2}").And.Contain("or raise BatchSizeLimitBytes");
    }

    [Fact]
    public void TheLargestEventLimitThatFitsARequestIsKept()
    {
        SinkSettings.From(TestOptions.Create(o =>
        {
            o.BatchSizeLimitBytes = 10_000;
            o.EventBodyLimitBytes = 9_998;
        })).EventBodyLimitBytes.Should().Be(9_998);
    }

    [Theory]
    [InlineData(1_000_000, 262_144)]
    [InlineData(100_000, 99_998)]
    [InlineData(1024, 1022)]
    public void LeftOutTheEventLimitIs256KiBOrTheLargestThatFitsARequest(int batchBytes, int expected)
    {
        SinkSettings.From(TestOptions.Create(o => o.BatchSizeLimitBytes = batchBytes)).EventBodyLimitBytes.Should().Be(expected);
    }

    [Fact]
    public void AuditModeHasNoRequestOfManyEventsToFit()
    {
        var options = new DynatraceSecurityOptions
        {
            EnvironmentUrl = "https://abc12345.live.dynatrace.com",
            AccessToken = TestOptions.ClassicToken,
            EnrichmentDirectory = "none",
        };

        SinkSettings.From(options).EventBodyLimitBytes.Should().Be(262_144);
        options.EventBodyLimitBytes = 5_000_000;
        SinkSettings.From(options).EventBodyLimitBytes.Should().Be(5_000_000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void AnEmptyEnrichmentDirectorySaysToWriteNone(string directory)
    {
        var refused = Refused(o => o.EnrichmentDirectory = directory);

        refused.ParamName.Should().Be("EnrichmentDirectory");
        refused.Message.Should().Contain("write \"none\" to turn enrichment off");
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData(" NONE ", null)]
    [InlineData("./none", "./none")]
    [InlineData("/opt/enrichment", "/opt/enrichment")]
    public void NoneTurnsEnrichmentOffAndADirectoryIsReadAsGiven(string configured, string? read)
    {
        SinkSettings.From(TestOptions.Create(o => o.EnrichmentDirectory = configured)).EnrichmentDirectory.Should().Be(read);
    }

    [Fact]
    public void LeftOutEnrichmentIsReadFromDynatracesDirectory()
    {
        SinkSettings.From(TestOptions.Create(o => o.EnrichmentDirectory = null)).EnrichmentDirectory
            .Should().Be(EnrichmentFiles.DefaultDirectory);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ssn", " ")]
    [InlineData("ssn", null)]
    public void AnEmptyRedactedNameSaysHowToTurnRedactionOff(params string?[] names)
    {
        var refused = Refused(o => o.RedactedProperties = names!);

        refused.ParamName.Should().Be("RedactedProperties");
        refused.Message.Should().Contain("must not contain an empty name").And.Contain("pass an empty list ([] in JSON)");
    }

    [Fact]
    public void AnEmptyRedactionListTurnsRedactionOffAndNamesAreTrimmed()
    {
        SinkSettings.From(TestOptions.Create(o => o.RedactedProperties = Array.Empty<string>())).RedactedProperties.Should().BeEmpty();
        SinkSettings.From(TestOptions.Create(o => o.RedactedProperties = new[] { " ssn ", "iban" })).RedactedProperties
            .Should().Equal("ssn", "iban");
        SinkSettings.From(TestOptions.Create(o => o.RedactedProperties = null)).RedactedProperties
            .Should().Equal(DynatraceSecurityOptions.DefaultRedactedProperties);
    }
}
