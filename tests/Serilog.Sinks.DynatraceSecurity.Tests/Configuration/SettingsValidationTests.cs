using System;
using System.IO;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Configuration;

public class SettingsValidationTests
{
    static ArgumentException Rejects(Action<DynatraceSecuritySinkOptions> configure)
    {
        var act = () => new LoggerConfiguration().WriteTo.DynatraceSecurity(o =>
        {
            var defaults = TestOptions.Create(configure);
            o.EnvironmentUrl = defaults.EnvironmentUrl;
            o.AccessToken = defaults.AccessToken;
            o.Endpoint = defaults.Endpoint;
            o.Route = defaults.Route;
            o.BatchSizeLimit = defaults.BatchSizeLimit;
            o.BatchSizeLimitBytes = defaults.BatchSizeLimitBytes;
            o.QueueLimit = defaults.QueueLimit;
            o.BufferingTimeLimit = defaults.BufferingTimeLimit;
            o.RetryTimeLimit = defaults.RetryTimeLimit;
            o.MarkerProperty = defaults.MarkerProperty;
            o.DefaultEventType = defaults.DefaultEventType;
            o.StaticAttributes = defaults.StaticAttributes;
            o.RequestTimeout = defaults.RequestTimeout;
            o.ShutdownTimeout = defaults.ShutdownTimeout;
            o.QueueLimitBytes = defaults.QueueLimitBytes;
            o.EventBodyLimitBytes = defaults.EventBodyLimitBytes;
            o.PropertyNames = defaults.PropertyNames;
            o.Compression = defaults.Compression;
            o.UndeliveredEventsPath = defaults.UndeliveredEventsPath;
            o.BufferPath = defaults.BufferPath;
        });
        var exception = act.Should().Throw<ArgumentException>().Which;
        exception.Message.Should().NotContain(TestOptions.ClassicToken).And.NotContain("SECRETPART");
        return exception;
    }

    [Theory]
    [InlineData("", "BufferPath")]
    [InlineData("  ", "BufferPath")]
    [InlineData("", "UndeliveredEventsPath")]
    [InlineData(" ", "UndeliveredEventsPath")]
    public void AnEmptyPathIsRefusedRatherThanTakenAsNone(string path, string option)
    {
        var refused = Rejects(o =>
        {
            if (option == "BufferPath")
                o.BufferPath = path;
            else
                o.UndeliveredEventsPath = path;
        });

        refused.ParamName.Should().Be(option);
        refused.Message.Should().Contain("or null (left out) for no");
    }

    [Theory]
    [InlineData("buffer/undelivered.jsonl")]
    [InlineData("buffer/rejected/undelivered.jsonl")]
    public void AnUndeliveredEventsFileInsideTheBufferDirectoryIsRefusedWithWhatToFix(string file)
    {
        var root = Path.Combine(Path.GetTempPath(), "dt-settings-" + Guid.NewGuid().ToString("N"));

        var refused = Rejects(o =>
        {
            o.BufferPath = Path.Combine(root, "buffer") + Path.DirectorySeparatorChar;
            o.UndeliveredEventsPath = Path.Combine(root, file);
        });

        refused.ParamName.Should().Be("UndeliveredEventsPath");
        refused.Message.Should().Contain("is inside BufferPath").And.Contain("Put the undelivered-events file outside it");
        Directory.Exists(root).Should().BeFalse("nothing is created for a refused configuration");
    }

    [Fact]
    public void AnUndeliveredEventsFileBesideTheBufferDirectoryIsAccepted()
    {
        using var directory = new TemporaryDirectory();
        var act = () => new LoggerConfiguration().WriteTo.DynatraceSecurity(o =>
        {
            o.EnvironmentUrl = "https://abc12345.live.dynatrace.com";
            o.AccessToken = TestOptions.ClassicToken;
            o.EnrichmentDirectory = "none";
            o.BufferPath = Path.Combine(directory.Path, "buffer");
            o.UndeliveredEventsPath = Path.Combine(directory.Path, "buffer-undelivered.jsonl"); // a name that starts like the directory's
        }).CreateLogger().Dispose();

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc12345.live.dynatrace.com")]
    [InlineData("/platform")]
    [InlineData("ftp://abc12345.live.dynatrace.com")]
    public void EnvironmentUrlMustBeAnAbsoluteHttpsUrl(string? url)
    {
        Rejects(o => o.EnvironmentUrl = url).Message.Should().Contain("https://abc12345.live.dynatrace.com");
    }

    [Theory]
    [InlineData("http://abc12345.live.dynatrace.com")]
    [InlineData("http://10.0.0.5:8080")]
    [InlineData("http://localhost.example.com")]
    public void PlainHttpIsRefusedForHostsThatAreNotLoopback(string url)
    {
        Rejects(o => o.EnvironmentUrl = url).Message.Should().Contain("not loopback").And.Contain("Use https");
    }

    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://127.1.2.3")]
    [InlineData("http://[::1]:5000")]
    [InlineData("https://abc12345.live.dynatrace.com/")]
    [InlineData("https://activegate.internal:9999/e/abc12345")]
    public void LoopbackHttpAndAnyHttpsUrlAreAccepted(string url)
    {
        var settings = SinkSettings.From(TestOptions.Create(o => o.EnvironmentUrl = url));
        settings.Target.AbsolutePath.Should().EndWith("/platform/ingest/custom/security.events/contoso.identity");
    }

    [Theory]
    [InlineData("https://abc12345.live.dynatrace.com?tenant=x")]
    [InlineData("https://abc12345.live.dynatrace.com#x")]
    public void QueryStringsAndFragmentsAreRefused(string url)
    {
        Rejects(o => o.EnvironmentUrl = url).Message.Should().Contain("query string");
    }

    [Fact]
    public void UserInformationInTheUrlIsRefused()
    {
        Rejects(o => o.EnvironmentUrl = "https://user:pass@abc12345.live.dynatrace.com").Message.Should().Contain("user information");
    }

    [Theory]
    [InlineData("")]
    [InlineData("contoso..identity")]
    [InlineData("contoso.identity.")]
    [InlineData(".contoso")]
    [InlineData("contoso identity")]
    [InlineData("contoso/identity")]
    [InlineData("../../v1/other")]
    [InlineData("contoso-identity")]
    [InlineData("contoso.identity?x=1")]
    public void EndpointNamesMustFollowTheOpenPipelineRules(string endpoint)
    {
        Rejects(o => o.Endpoint = endpoint).Message.Should().Contain("letters, digits and dots");
    }

    [Theory]
    [InlineData(DynatraceSecurityRoute.SecurityEvents, "contoso.identity", "/platform/ingest/custom/security.events/contoso.identity")]
    [InlineData(DynatraceSecurityRoute.LegacyEventsSecurity, "contoso.identity", "/platform/ingest/custom/events.security/contoso.identity")]
    [InlineData(DynatraceSecurityRoute.SecurityEvents, null, "/platform/ingest/v1/security.events")]
    [InlineData(DynatraceSecurityRoute.LegacyEventsSecurity, null, "/platform/ingest/v1/events.security")]
    public void EachRouteHasItsDocumentedPath(DynatraceSecurityRoute route, string? endpoint, string path)
    {
        var settings = SinkSettings.From(TestOptions.Create(o =>
        {
            o.Route = route;
            o.Endpoint = endpoint;
        }));

        settings.Target.AbsolutePath.Should().Be(path);
        settings.Target.Query.Should().BeEmpty();
    }

    [Fact]
    public void APathPrefixSuchAsAnActiveGatesIsKeptInFrontOfTheRoute()
    {
        var settings = SinkSettings.From(TestOptions.Create(o => o.EnvironmentUrl = "https://ag.example.com:9999/e/abc12345/"));
        settings.Target.ToString().Should().Be("https://ag.example.com:9999/e/abc12345/platform/ingest/custom/security.events/contoso.identity");
    }

    [Fact]
    public void UnknownRouteIsRefused()
    {
        Rejects(o => o.Route = (DynatraceSecurityRoute)7).Message.Should().Contain("SecurityEvents or LegacyEventsSecurity");
    }

    [Fact]
    public void UnknownCompressionIsRefused()
    {
        Rejects(o => o.Compression = (DynatraceSecurityCompression)2).Message.Should().Contain("Compression must be None or Gzip");
    }

    [Theory]
    [InlineData("dt0c01.ABC\r\nX-Injected: 1")]
    [InlineData("dt0c01.ABC\nDEF")]
    [InlineData("dt0c01.ABC\u0000DEF")]
    [InlineData("dt0c01.ABC DEF")]
    public void TokensWithControlOrWhiteSpaceCharactersAreRefusedWithoutEchoingThem(string token)
    {
        var exception = Rejects(o => o.AccessToken = token);
        exception.Message.Should().Contain("control or white-space character").And.NotContain("ABC");
    }

    [Theory]
    [InlineData("dt0c01.PUBLIC.SECRET", "Api-Token")]
    [InlineData("dt0s16.PLATFORM.SECRET", "Bearer")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.oauth", "Bearer")]
    public void TheAuthorizationSchemeFollowsTheTokenPrefix(string token, string scheme)
    {
        var parsed = SinkSettings.From(TestOptions.Create(o => o.AccessToken = token)).Credentials;
        parsed.TokenScheme.Should().Be(scheme);
        parsed.ToString().Should().NotContain("SECRET").And.NotContain("oauth");
    }

    [Theory]
    [InlineData("dt0c01.ABCé")]
    [InlineData("dt0c01.ABC\u2713DEF")]
    [InlineData("dt0c01.ＡＢＣ")]
    public void TokensWithCharactersThatAreNotAsciiAreRefusedWithoutEchoingThem(string token)
    {
        // Headers carry ASCII only: such a token would make every request fail locally.
        var exception = Rejects(o => o.AccessToken = token);
        exception.Message.Should().Contain("not ASCII").And.NotContain("ABC");
    }

    [Fact]
    public void EveryTimeAndSizeHasASaneMaximumThatSaysWhatToFix()
    {
        var year = TimeSpan.FromDays(365);
        Rejects(o => o.BufferingTimeLimit = year).Message.Should().Contain("BufferingTimeLimit").And.Contain("at most 01:00:00");
        Rejects(o => o.RequestTimeout = year).Message.Should().Contain("RequestTimeout").And.Contain("at most 00:10:00");
        Rejects(o => o.ShutdownTimeout = year).Message.Should().Contain("ShutdownTimeout").And.Contain("at most 00:10:00");
        Rejects(o => o.RetryTimeLimit = TimeSpan.FromHours(24)).Message.Should().Contain("RetryTimeLimit").And.Contain("at most 23:00:00")
            .And.Contain("24 hours");
        Rejects(o => o.BatchSizeLimit = 1_000_000).Message.Should().Contain("between 1 and 100000");
        Rejects(o => o.QueueLimit = int.MaxValue).Message.Should().Contain("between 1 and 10000000");
        Rejects(o => o.BatchSizeLimitBytes = 50_000_000).Message.Should().Contain("between 1024 and 10000000").And.Contain("10 MB");
        Rejects(o => o.QueueLimitBytes = long.MaxValue).ParamName.Should().Be("QueueLimitBytes");

        // The maxima themselves are accepted.
        SinkSettings.From(TestOptions.Create(o =>
        {
            o.BufferingTimeLimit = TimeSpan.FromHours(1);
            o.RequestTimeout = TimeSpan.FromMinutes(10);
            o.ShutdownTimeout = TimeSpan.FromMinutes(10);
            o.RetryTimeLimit = TimeSpan.FromHours(23);
            o.BatchSizeLimit = 100_000;
            o.QueueLimit = 10_000_000;
            o.BatchSizeLimitBytes = 10_000_000;
        }));
    }

    [Fact]
    public void LimitsMustBePositive()
    {
        Rejects(o => o.BatchSizeLimit = 0).ParamName.Should().Be("BatchSizeLimit");
        Rejects(o => o.QueueLimit = -1).ParamName.Should().Be("QueueLimit");
        Rejects(o => o.BatchSizeLimitBytes = 100).Message.Should().Contain("between 1024");
        Rejects(o => o.BufferingTimeLimit = TimeSpan.Zero).ParamName.Should().Be("BufferingTimeLimit");
        Rejects(o => o.RetryTimeLimit = TimeSpan.FromSeconds(-1)).ParamName.Should().Be("RetryTimeLimit");
        Rejects(o => o.MarkerProperty = " ").ParamName.Should().Be("MarkerProperty");
        Rejects(o => o.DefaultEventType = "").ParamName.Should().Be("DefaultEventType");
        Rejects(o => o.RequestTimeout = TimeSpan.Zero).ParamName.Should().Be("RequestTimeout");
        Rejects(o => o.ShutdownTimeout = TimeSpan.FromSeconds(-1)).ParamName.Should().Be("ShutdownTimeout");
        Rejects(o => o.QueueLimitBytes = 0).ParamName.Should().Be("QueueLimitBytes");
        Rejects(o => o.EventBodyLimitBytes = 100).Message.Should().Contain("between 512 and 10000000");
    }

    [Fact]
    public void TheTokenComesFromDtAccessTokenWhenNotGivenAndItsAbsenceIsAClearError()
    {
        var previous = Environment.GetEnvironmentVariable("DT_ACCESS_TOKEN");
        try
        {
            Environment.SetEnvironmentVariable("DT_ACCESS_TOKEN", null);
            Rejects(o => o.AccessToken = null).Message.Should().Contain("DT_ACCESS_TOKEN");

            Environment.SetEnvironmentVariable("DT_ACCESS_TOKEN", "dt0s16.FROMENVIRONMENT\n");
            var settings = SinkSettings.From(TestOptions.Create(o => o.AccessToken = null));
            settings.Credentials.TokenScheme.Should().Be("Bearer");
            settings.Credentials.Token.Should().Be("dt0s16.FROMENVIRONMENT");
        }
        finally
        {
            Environment.SetEnvironmentVariable("DT_ACCESS_TOKEN", previous);
        }
    }

    [Fact]
    public void TheParameterOverloadValidatesLikeTheOptions()
    {
        var act = () => new LoggerConfiguration().WriteTo.DynatraceSecurity(
            environmentUrl: "http://abc12345.live.dynatrace.com", accessToken: TestOptions.ClassicToken, endpoint: "contoso.identity");
        act.Should().Throw<ArgumentException>().WithMessage("*not loopback*");
    }
}
