using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Hooks;

/// <summary>input_validation_fail: antiforgery failures in a minimal API and in an MVC action, through IAntiforgery.</summary>
public class AntiforgeryTests
{
    [Fact]
    public async Task AFormPostWithoutOrWithAWrongTokenGivesAnEventInAMinimalApiAndInAnMvcActionAndAValidPostNothing()
    {
        await using var app = await FullApp.StartAsync(new AppCounters());
        using var tokenResponse = await app.GetAsync("/transfer", "203.0.113.50");
        var tokens = (await tokenResponse.Content.ReadFromJsonAsync<FullApp.FormTokens>())!;
        var cookie = tokenResponse.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery.", System.StringComparison.Ordinal)).Split(';')[0];

        var posts = new[]
        {
            (Path: "/transfer", From: "203.0.113.51", Cookie: (string?)null, Token: (string?)null),
            (Path: "/transfer", From: "203.0.113.52", Cookie: cookie, Token: "wrong-request-token"),
            (Path: "/mvc/transfer", From: "203.0.113.53", Cookie: (string?)null, Token: (string?)null),
            (Path: "/transfer", From: "203.0.113.54", Cookie: cookie, Token: tokens.RequestToken),
            (Path: "/mvc/transfer", From: "203.0.113.55", Cookie: cookie, Token: tokens.RequestToken),
        };
        foreach (var post in posts)
        {
            var form = new List<KeyValuePair<string, string>> { new("amount", "100") };
            if (post.Token != null)
                form.Add(new(tokens.FieldName, post.Token));
            var headers = post.Cookie == null ? null : new[] { new KeyValuePair<string, string>("Cookie", post.Cookie) };
            using var response = await app.SendAsync(HttpMethod.Post, post.Path, post.From, headers, new FormUrlEncodedContent(form));
            response.StatusCode.Should().Be(post.Token == tokens.RequestToken ? HttpStatusCode.OK : HttpStatusCode.BadRequest, post.Path);
        }

        var events = await app.StopAsync();

        events.Should().HaveCount(3, "the two valid posts give nothing");
        events.Should().OnlyContain(e => e.GetString("finding.type") == "input_validation_fail" && e.GetString("event.reason") == "antiforgery");
        events.Select(e => e.Strings("actor.ips").Single()).Should().BeEquivalentTo(new[] { "203.0.113.51", "203.0.113.52", "203.0.113.53" });
        events.Single(e => e.Strings("actor.ips").Single() == "203.0.113.53").GetString("object.id").Should().Be("POST /mvc/transfer");
        events.Single(e => e.Strings("actor.ips").Single() == "203.0.113.51").GetString("finding.title").Should().Be("Antiforgery validation failed on POST /transfer");
        app.ShouldAllBeAccepted();
        app.ShouldNotHaveSent(tokens.RequestToken, cookie.Substring(cookie.IndexOf('=') + 1));
    }

    [Fact]
    public async Task AFailureSeenByTwoChecksInOneRequestIsOneEvent()
    {
        await using var app = await TestApp.StartAsync(builder =>
        {
            builder.Services.AddAntiforgery();
            builder.Services.AddSecurityEvents();
        }, web =>
        {
            // An endpoint filter of the app's checks the request, and so does the handler.
            web.MapPost("/transfer", async (IAntiforgery antiforgery, HttpContext http) =>
                    await antiforgery.IsRequestValidAsync(http) ? Results.Ok() : Results.BadRequest())
                .AddEndpointFilter(async (context, next) =>
                {
                    var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
                    await antiforgery.IsRequestValidAsync(context.HttpContext);
                    return await next(context);
                });
        });

        using var response = await app.SendAsync(HttpMethod.Post, "/transfer",
            content: new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "100" }));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await app.StopAsync()).Should().ContainSingle().Which.GetString("finding.type").Should().Be("input_validation_fail");
    }
}
