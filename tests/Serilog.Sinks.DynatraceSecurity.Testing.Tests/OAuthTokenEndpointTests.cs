using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;
using Xunit;
using static Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support.TokenRequests;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests;

public sealed class OAuthTokenEndpointTests
{
    const string BuiltInPath = "/platform/ingest/v1/security.events";

    [Fact]
    public async Task AClientCredentialsRequestGetsABearerTokenThatTheIngestRoutesAccept()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        var form = Form(receiver, DynatraceIngestReceiver.CustomRoutesPermission + " " + DynatraceIngestReceiver.BuiltInRoutesPermission);
        form["resource"] = "urn:dtaccount:0f5c1a2b-1111-2222-3333-444455556666";

        var (status, body) = await RequestTokenAsync(client, form);

        status.Should().Be(200);
        body.GetProperty("token_type").GetString().Should().Be("Bearer");
        body.GetProperty("expires_in").GetInt64().Should().Be(300);
        body.GetProperty("scope").GetString().Should().Be(form["scope"]);
        body.GetProperty("resource").GetString().Should().Be(form["resource"]);
        var token = body.GetProperty("access_token").GetString()!;
        var recorded = receiver.TokenRequests.Should().ContainSingle().Subject;
        recorded.Form.Should().Equal(form);
        recorded.StatusCode.Should().Be(200);
        recorded.IssuedToken.Should().Be(token);
        recorded.ToString().Should().NotContain(receiver.OAuthClientSecret).And.NotContain(token).And.Contain(receiver.OAuthClientId);

        using var custom = await client.PostAsync(IngestTestClient.CustomPath, IngestTestClient.OneEvent, "Bearer " + token);
        using var builtIn = await client.PostAsync(BuiltInPath, IngestTestClient.OneEvent, "Bearer " + token);
        custom.StatusCode.Should().Be(HttpStatusCode.Accepted);
        builtIn.StatusCode.Should().Be(HttpStatusCode.Accepted);
        receiver.Events.Should().HaveCount(2);
    }

    [Fact]
    public async Task WrongRequestsGetTheOauthErrorThatSaysWhatIsWrong()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);

        var wrongSecret = Form(receiver);
        wrongSecret["client_secret"] = "dt0s02.LOCALRECEIVER.WRONG";
        var unknownClient = Form(receiver);
        unknownClient["client_id"] = "dt0s02.SOMEONEELSE";
        var password = Form(receiver);
        password["grant_type"] = "password";
        var notGranted = Form(receiver, "storage:logs:read");
        var noScope = Form(receiver);
        noScope.Remove("scope");

        var cases = new (Dictionary<string, string> Form, int Status, string Error)[]
        {
            (wrongSecret, 401, "invalid_client"),
            (unknownClient, 401, "invalid_client"),
            (password, 400, "unsupported_grant_type"),
            (notGranted, 400, "invalid_scope"),
            (noScope, 400, "invalid_scope"),
        };
        foreach (var (form, expectedStatus, expectedError) in cases)
        {
            var (status, body) = await RequestTokenAsync(client, form);
            status.Should().Be(expectedStatus);
            body.GetProperty("error").GetString().Should().Be(expectedError);
            body.GetProperty("error_description").GetString().Should().NotBeNullOrWhiteSpace().And.NotContain("WRONG");
        }

        var (jsonStatus, jsonBody) = await RequestTokenAsync(client, IngestTestClient.Json(JsonSerializer.Serialize(Form(receiver))));
        jsonStatus.Should().Be(400);
        jsonBody.GetProperty("error").GetString().Should().Be("invalid_request", "the token request is a form, not JSON");

        using var get = await client.Http.GetAsync(DynatraceIngestReceiver.OAuthTokenPath);
        get.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);

        receiver.TokenRequests.Should().HaveCount(7).And.OnlyContain(r => r.IssuedToken == null);
        receiver.Requests.Should().BeEmpty("token requests are not ingest requests");
    }

    [Fact]
    public async Task ConfiguredClientLifetimeAndScopesReplaceTheDefaults()
    {
        var options = new DynatraceIngestReceiverOptions
        {
            OAuthClientId = "dt0s02.MINE",
            OAuthClientSecret = "dt0s02.MINE.SECRET",
            OAuthTokenLifetime = TimeSpan.FromSeconds(42.9),
        };
        options.OAuthScopes.Clear();
        options.OAuthScopes.Add("openpipeline:security.events:ingest");
        await using var receiver = await DynatraceIngestReceiver.StartAsync(options);
        using var client = new IngestTestClient(receiver);

        receiver.OAuthClientId.Should().Be("dt0s02.MINE");
        receiver.OAuthClientSecret.Should().Be("dt0s02.MINE.SECRET");
        receiver.OAuthTokenUrl.Should().Be(new Uri(receiver.EnvironmentUrl, "/sso/oauth2/token"));
        var (granted, body) = await RequestTokenAsync(client, Form(receiver, "openpipeline:security.events:ingest"));
        granted.Should().Be(200);
        body.GetProperty("expires_in").GetInt64().Should().Be(42, "expires_in is whole seconds, never more than the lifetime");
        var (refused, _) = await RequestTokenAsync(client, Form(receiver, DynatraceIngestReceiver.CustomRoutesPermission));
        refused.Should().Be(400);
    }

    [Fact]
    public async Task TokenRequestsCanBeScripted()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        using var client = new IngestTestClient(receiver);
        receiver.EnqueueTokenResponse(ScriptedResponse.OAuthError(400, "invalid_scope", "scripted"));
        receiver.EnqueueTokenResponse(ScriptedResponse.Status(503, retryAfter: "7"));
        receiver.EnqueueTokenResponse(new ScriptedResponse { StatusCode = 200, Body = "{\"token_type\":\"Bearer\"}" });
        receiver.EnqueueTokenResponse(ScriptedResponse.Drop());

        var (scope, scopeBody) = await RequestTokenAsync(client, Form(receiver));
        using (var unavailable = await client.Http.PostAsync(DynatraceIngestReceiver.OAuthTokenPath, new FormUrlEncodedContent(Form(receiver))))
        {
            ((int)unavailable.StatusCode).Should().Be(503);
            unavailable.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(7));
            JsonDocument.Parse(await unavailable.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()
                .Should().Be("temporarily_unavailable");
        }

        var (written, writtenBody) = await RequestTokenAsync(client, Form(receiver));
        var dropped = async () => await client.Http.PostAsync(DynatraceIngestReceiver.OAuthTokenPath, new FormUrlEncodedContent(Form(receiver)));
        await dropped.Should().ThrowAsync<HttpRequestException>();
        var (normal, _) = await RequestTokenAsync(client, Form(receiver));

        scope.Should().Be(400);
        scopeBody.GetProperty("error").GetString().Should().Be("invalid_scope");
        scopeBody.GetProperty("error_description").GetString().Should().Be("scripted");
        written.Should().Be(200);
        writtenBody.TryGetProperty("access_token", out _).Should().BeFalse("a scripted 2xx body is answered as written");
        normal.Should().Be(200, "the script is used up");
        receiver.TokenRequests.Select(r => r.StatusCode).Should().Equal(400, 503, 200, 0, 200);
    }
}
