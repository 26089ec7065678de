using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Examples.AspNetCoreEvents;

/// <summary>
/// The <c>--demo</c> run: a short scripted attack against the running app, each attacker from an address of its own
/// (sent as X-Forwarded-For, which the app trusts from its loopback "proxy"), and some normal traffic that is not reported.
/// </summary>
public static class DemoAttack
{
    public const string AlicePassword = "Correct-Horse-1";
    public const string BobPassword = "Battery-Staple-2";

    public static async Task RunAsync(Uri baseAddress)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress };

        Console.WriteLine("-- credential stuffing against alice, then an account that does not exist");
        foreach (var password in new[] { "123456", "password", "qwerty", AlicePassword })
            await SendAsync(client, HttpMethod.Post, "/account/login", "203.0.113.10", json: new LoginRequest("alice", password));
        await SendAsync(client, HttpMethod.Post, "/account/login", "203.0.113.10", json: new LoginRequest("admin", "admin"));

        Console.WriteLine("-- forged, expired and malformed bearer tokens");
        await SendAsync(client, HttpMethod.Get, "/api/orders/42", "198.51.100.20", bearer: DemoTokens.Forged("mallory"));
        await SendAsync(client, HttpMethod.Get, "/api/orders/42", "198.51.100.20", bearer: DemoTokens.Expired("mallory"));
        await SendAsync(client, HttpMethod.Get, "/api/orders/42", "198.51.100.20", bearer: "eyJhbGciOiJub25lIn0.not-a-token");

        Console.WriteLine("-- a reader trying the admin API");
        await SendAsync(client, HttpMethod.Get, "/api/admin/users", "192.0.2.30", bearer: DemoTokens.Valid("carol", "reader"));

        Console.WriteLine("-- a scraper: 2 searches allowed per minute, 8 sent");
        for (var i = 0; i < 8; i++)
            await SendAsync(client, HttpMethod.Get, "/api/search?q=price+list", "192.0.2.40");

        Console.WriteLine("-- a cross-site form post without the antiforgery token");
        await SendAsync(client, HttpMethod.Post, "/transfer", "192.0.2.50",
            form: new Dictionary<string, string> { ["amount"] = "1000", ["to"] = "mallory" });

        Console.WriteLine("-- normal traffic: a good sign-in, a valid token, an anonymous API call, a 404 (none is reported)");
        await SendAsync(client, HttpMethod.Post, "/account/login", "192.0.2.60", json: new LoginRequest("bob", BobPassword));
        await SendAsync(client, HttpMethod.Get, "/api/orders/7", "192.0.2.60", bearer: DemoTokens.Valid("bob", "reader"));
        await SendAsync(client, HttpMethod.Get, "/api/orders/7", "192.0.2.60");
        await SendAsync(client, HttpMethod.Get, "/no/such/page", "192.0.2.60");
    }

    static async Task SendAsync(HttpClient client, HttpMethod method, string path, string from,
        string? bearer = null, LoginRequest? json = null, Dictionary<string, string>? form = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Forwarded-For", from);
        if (bearer != null)
            request.Headers.Add("Authorization", "Bearer " + bearer);
        if (json != null)
            request.Content = JsonContent.Create(json);
        if (form != null)
            request.Content = new FormUrlEncodedContent(form);
        using var response = await client.SendAsync(request);
        Console.WriteLine($"{method} {path} from {from}: {(int)response.StatusCode} {response.StatusCode}");
    }
}
