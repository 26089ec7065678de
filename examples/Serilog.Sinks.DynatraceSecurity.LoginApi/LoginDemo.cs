using System;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Examples.LoginApi;

/// <summary>The <c>--demo</c> run: a few logins against the running app, as a client would send them.</summary>
public static class LoginDemo
{
    public static async Task RunAsync(Uri baseAddress)
    {
        using var client = new HttpClient { BaseAddress = baseAddress };
        foreach (var (user, password) in new[]
                 {
                     ("alice", "123456"), ("alice", "password"), ("alice", "qwerty"), // three failures: locked
                     ("bob", "battery staple"),                                       // a success: not a security event
                 })
        {
            using var response = await client.PostAsJsonAsync("/login", new LoginRequest(user, password));
            Console.WriteLine($"POST /login as {user}: {(int)response.StatusCode} {response.StatusCode}");
        }
    }
}
