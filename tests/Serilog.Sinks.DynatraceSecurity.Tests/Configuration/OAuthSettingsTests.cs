using System;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Configuration;

/// <summary>The OAuth options: what is accepted, what fails with a message that says what to fix, and JSON configuration.</summary>
public class OAuthSettingsTests
{
    const string ClientId = "dt0s02.TESTCLIENT";
    const string Secret = "dt0s02.TESTCLIENT.TESTCLIENTSECRETPART000000000000";

    static DynatraceSecuritySinkOptions OAuth(Action<DynatraceSecuritySinkOptions>? configure = null) => TestOptions.Create(o =>
    {
        o.AccessToken = null;
        o.OAuthClientId = ClientId;
        o.OAuthClientSecret = Secret;
        configure?.Invoke(o);
    });

    static ArgumentException Rejects(DynatraceSecuritySinkOptions options)
    {
        var act = () => SinkSettings.From(options);
        var exception = act.Should().Throw<ArgumentException>().Which;
        exception.ToString().Should().NotContain("SECRETPART").And.NotContain(TestOptions.ClassicToken);
        return exception;
    }

    [Fact]
    public void AnOAuthClientIsUsedWithTheDefaultsDynatraceDocuments()
    {
        var settings = SinkSettings.From(OAuth());

        settings.Credentials.Token.Should().BeNull();
        var client = settings.Credentials;
        client.ClientId.Should().Be(ClientId);
        client.TokenUrl.Should().Be(new Uri("https://sso.dynatrace.com/sso/oauth2/token"));
        client.Scope.Should().Be("openpipeline:security.events.custom:ingest");
        client.Resource.Should().BeNull();
        client.ToString().Should().Contain(ClientId).And.NotContain("SECRETPART");
    }

    [Fact]
    public void TheDefaultScopeIsThePermissionTheRouteNeedsAndAGivenOneIsSentAsSpaceSeparatedPermissions()
    {
        SinkSettings.From(OAuth(o => o.Endpoint = null)).Credentials.Scope.Should().Be("openpipeline:security.events:ingest");
        SinkSettings.From(OAuth(o => o.Route = DynatraceSecurityRoute.LegacyEventsSecurity)).Credentials.Scope
            .Should().Be("openpipeline:security.events.custom:ingest");
        SinkSettings.From(OAuth(o => o.OAuthScope = "  openpipeline:security.events.custom:ingest \t storage:logs:read ")).Credentials.Scope
            .Should().Be("openpipeline:security.events.custom:ingest storage:logs:read");
    }

    [Fact]
    public void AClientIdWithoutASecretOrASecretWithoutAnIdSaysWhatIsMissing()
    {
        Rejects(OAuth(o => o.OAuthClientSecret = null)).Message.Should().Contain("oauthClientId is set but oauthClientSecret");
        Rejects(OAuth(o => o.OAuthClientId = " ")).Message.Should().Contain("oauthClientSecret is set but oauthClientId");
    }

    [Fact]
    public void AnAccessTokenAndAnOAuthClientTogetherAreRefused()
    {
        var exception = Rejects(OAuth(o => o.AccessToken = TestOptions.ClassicToken));

        exception.Message.Should().Contain("accessToken").And.Contain("oauthClientId").And.Contain("keep one");
        SinkSettings.From(OAuth(o => o.AccessToken = " ")).Credentials.IsOAuth.Should().BeTrue("a blank placeholder is no second credential");
    }

    [Theory]
    [InlineData("http://sso.example.com/sso/oauth2/token", "not loopback")]
    [InlineData("sso.dynatrace.com/sso/oauth2/token", "absolute https URL")]
    [InlineData("ftp://sso.dynatrace.com/token", "absolute https URL")]
    [InlineData("https://user:pw@sso.dynatrace.com/sso/oauth2/token", "user information")]
    public void TheTokenUrlMustBeHttpsExceptForLoopback(string url, string message)
    {
        Rejects(OAuth(o => o.OAuthTokenUrl = url)).Message.Should().Contain(message).And.Contain("oauthTokenUrl");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/sso/oauth2/token")]
    [InlineData("http://localhost/token")]
    [InlineData("https://sso-sprint.dynatracelabs.com/sso/oauth2/token")]
    public void HttpsAndLoopbackTokenUrlsAreAccepted(string url) =>
        SinkSettings.From(OAuth(o => o.OAuthTokenUrl = url)).Credentials.TokenUrl.Should().Be(new Uri(url));

    [Theory]
    [InlineData("0f5c1a2b-1111-2222-3333-444455556666")]
    [InlineData("urn:dtaccount:")]
    [InlineData("urn:dtaccount:a b")]
    [InlineData("urn:other:abc")]
    public void TheResourceMustNameAnAccountOrAnEnvironment(string resource)
    {
        Rejects(OAuth(o => o.OAuthResource = resource)).Message.Should().Contain("urn:dtaccount:<account-uuid>");
    }

    [Theory]
    [InlineData("urn:dtaccount:0f5c1a2b-1111-2222-3333-444455556666")]
    [InlineData("urn:dtenvironment:abc12345")]
    public void AnAccountOrEnvironmentResourceIsSent(string resource) =>
        SinkSettings.From(OAuth(o => o.OAuthResource = resource)).Credentials.Resource.Should().Be(resource);

    [Fact]
    public void AScopeWithCharactersAPermissionCannotHoldIsRefused() =>
        Rejects(OAuth(o => o.OAuthScope = "openpipeline:\"security\"")).ParamName.Should().Be("OAuthScope");

    [Theory]
    [InlineData("dt0s02.TESTCLIENT.SECRETPART\nX")]
    [InlineData("dt0s02.TESTCLIENT.SECRETPART é")]
    public void ASecretWithControlOrNonAsciiCharactersIsRefusedWithoutEchoingIt(string secret)
    {
        var exception = Rejects(OAuth(o => o.OAuthClientSecret = secret));

        exception.Message.Should().Contain("OAuth client secret").And.Contain("copy it again");
        exception.ParamName.Should().Be("OAuthClientSecret");
    }

    [Fact]
    public void TheSecretIsHiddenFromToStringAndTheDebugger()
    {
        var options = OAuth();

        options.ToString().Should().NotContain("SECRETPART");
        typeof(DynatraceSecurityOptions).GetProperty(nameof(DynatraceSecurityOptions.OAuthClientSecret))!
            .GetCustomAttribute<DebuggerBrowsableAttribute>()!.State.Should().Be(DebuggerBrowsableState.Never);
    }

    [Fact]
    public async Task ReadFromConfigurationTakesTheOAuthClientFromJson()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": { "Dynatrace": { "Name": "DynatraceSecurity", "Args": {
                  "environmentUrl": "{{receiver.EnvironmentUrl}}", "endpoint": "contoso.identity", "enrichmentDirectory": "none",
                  "oauthClientId": "{{receiver.OAuthClientId}}", "oauthClientSecret": "{{receiver.OAuthClientSecret}}",
                  "oauthTokenUrl": "{{receiver.OAuthTokenUrl}}", "oauthScope": "openpipeline:security.events.custom:ingest",
                  "oauthResource": "urn:dtenvironment:abc12345" } } },
                "AuditTo": [ { "Name": "DynatraceSecurity", "Args": {
                  "environmentUrl": "{{receiver.EnvironmentUrl}}", "endpoint": "contoso.audit", "enrichmentDirectory": "none",
                  "oauthClientId": "{{receiver.OAuthClientId}}", "oauthClientSecret": "{{receiver.OAuthClientSecret}}",
                  "oauthTokenUrl": "{{receiver.OAuthTokenUrl}}" } } ]
              }
            }
            """);

        logger.ForSecurityEvent().Warning("Failed login for {UserName}", "alice");
        await logger.DisposeAsync();

        receiver.Events.Select(e => e.Request.Endpoint).Should().BeEquivalentTo("contoso.identity", "contoso.audit");
        receiver.Requests.Should().OnlyContain(r => r.AuthorizationScheme == "Bearer");
        receiver.TokenRequests.Should().HaveCount(2, "each sink has its own client")
            .And.ContainSingle(r => r.Form.ContainsKey("resource") && r.Form["resource"] == "urn:dtenvironment:abc12345");
    }

    [Fact]
    public void AMisconfiguredOAuthClientInJsonFailsAtStartupWithTheReason()
    {
        var act = () => AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [ { "Name": "DynatraceSecurity", "Args": {
                  "environmentUrl": "https://abc12345.live.dynatrace.com", "oauthClientId": "{{ClientId}}",
                  "accessToken": "{{TestOptions.ClassicToken}}" } } ]
              }
            }
            """).Dispose();

        var thrown = act.Should().Throw<Exception>().Which;
        thrown.ToString().Should().Contain("keep one of them").And.NotContain(TestOptions.ClassicToken);
    }
}

/// <summary>
/// <c>DT_CLIENT_ID</c> and <c>DT_CLIENT_SECRET</c>: used only when neither code nor configuration gives a credential.
/// Environment variables are process-wide, so these tests run alone.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public sealed class OAuthEnvironmentTests : IDisposable
{
    static readonly string[] Variables = { "DT_ACCESS_TOKEN", "DT_CLIENT_ID", "DT_CLIENT_SECRET" };
    readonly string?[] _saved = Variables.Select(Environment.GetEnvironmentVariable).ToArray();

    public OAuthEnvironmentTests()
    {
        foreach (var variable in Variables)
            Environment.SetEnvironmentVariable(variable, null);
    }

    public void Dispose()
    {
        for (var i = 0; i < Variables.Length; i++)
            Environment.SetEnvironmentVariable(Variables[i], _saved[i]);
    }

    static DynatraceSecuritySinkOptions NothingConfigured(Action<DynatraceSecuritySinkOptions>? configure = null) =>
        TestOptions.Create(o =>
        {
            o.AccessToken = null;
            configure?.Invoke(o);
        });

    static void SetClient()
    {
        Environment.SetEnvironmentVariable("DT_CLIENT_ID", "dt0s02.FROMENVIRONMENT");
        Environment.SetEnvironmentVariable("DT_CLIENT_SECRET", "dt0s02.FROMENVIRONMENT.ENVSECRETPART");
    }

    [Fact]
    public void WithNothingConfiguredTheClientComesFromTheEnvironmentWithTheConfiguredTokenUrl()
    {
        SetClient();

        var client = SinkSettings.From(NothingConfigured(o => o.OAuthTokenUrl = "https://sso.example.com/token")).Credentials;

        client.ClientId.Should().Be("dt0s02.FROMENVIRONMENT");
        client.ClientSecret.Should().Be("dt0s02.FROMENVIRONMENT.ENVSECRETPART");
        client.TokenUrl.Should().Be(new Uri("https://sso.example.com/token"));
    }

    [Fact]
    public void AConfiguredCredentialWinsAndTheEnvironmentIsNotMixedIn()
    {
        SetClient();

        SinkSettings.From(TestOptions.Create()).Credentials.Token.Should().Be(TestOptions.ClassicToken);
        var act = () => SinkSettings.From(NothingConfigured(o => o.OAuthClientId = "dt0s02.CONFIGURED"));
        act.Should().Throw<ArgumentException>().WithMessage("*oauthClientId is set but oauthClientSecret*")
            .Which.Message.Should().NotContain("ENVSECRETPART");
    }

    [Fact]
    public void HalfAClientInTheEnvironmentSaysWhatIsMissing()
    {
        Environment.SetEnvironmentVariable("DT_CLIENT_SECRET", "dt0s02.X.ENVSECRETPART");

        var act = () => SinkSettings.From(NothingConfigured());

        act.Should().Throw<ArgumentException>().WithMessage("*DT_CLIENT_SECRET is set but DT_CLIENT_ID*")
            .Which.Message.Should().NotContain("ENVSECRETPART");
    }

    [Fact]
    public void AnAccessTokenAndAClientInTheEnvironmentAreRefusedAsAmbiguous()
    {
        SetClient();
        Environment.SetEnvironmentVariable("DT_ACCESS_TOKEN", TestOptions.ClassicToken);

        var act = () => SinkSettings.From(NothingConfigured());

        act.Should().Throw<ArgumentException>().WithMessage("*Both DT_ACCESS_TOKEN and DT_CLIENT_ID/DT_CLIENT_SECRET are set*");
    }

    [Fact]
    public void WithoutAnyCredentialTheMessageNamesEveryWayToGiveOne()
    {
        var act = () => SinkSettings.From(NothingConfigured());

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain("accessToken").And.Contain("oauthClientId").And.Contain("DT_ACCESS_TOKEN").And.Contain("DT_CLIENT_ID");
    }

    /// <summary>
    /// A blank <c>accessToken</c> is "a placeholder, not a second credential" next to an OAuth client in code or JSON,
    /// and also next to <c>DT_CLIENT_ID</c>/<c>DT_CLIENT_SECRET</c>: the environment's OAuth client is used.
    /// </summary>
    [Fact]
    public void ABlankAccessTokenPlaceholderDoesNotHideAnOAuthClientInTheEnvironment()
    {
        Environment.SetEnvironmentVariable("DT_CLIENT_ID", "dt0s02.FROMENVIRONMENT");
        Environment.SetEnvironmentVariable("DT_CLIENT_SECRET", "dt0s02.FROMENVIRONMENT.ENVSECRETPART");

        var act = () => SinkSettings.From(TestOptions.Create(o => o.AccessToken = ""));

        act.Should().NotThrow().Which.Credentials.ClientId.Should().Be("dt0s02.FROMENVIRONMENT");
    }
}
