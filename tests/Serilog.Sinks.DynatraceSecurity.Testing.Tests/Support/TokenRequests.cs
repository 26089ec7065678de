using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;

/// <summary>Requests to the receiver's token endpoint, as a client with the receiver's OAuth client sends them.</summary>
internal static class TokenRequests
{
    public static Dictionary<string, string> Form(DynatraceIngestReceiver receiver, string scope = DynatraceIngestReceiver.CustomRoutesPermission) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = receiver.OAuthClientId,
        ["client_secret"] = receiver.OAuthClientSecret,
        ["scope"] = scope,
    };

    public static async Task<(int Status, JsonElement Body)> RequestTokenAsync(IngestTestClient client, HttpContent content)
    {
        using var response = await client.Http.PostAsync(DynatraceIngestReceiver.OAuthTokenPath, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static Task<(int Status, JsonElement Body)> RequestTokenAsync(IngestTestClient client, Dictionary<string, string> form) =>
        RequestTokenAsync(client, new FormUrlEncodedContent(form));

    /// <summary>A token for <paramref name="scope"/>, asserting the endpoint issued one.</summary>
    public static async Task<string> TokenAsync(IngestTestClient client, DynatraceIngestReceiver receiver, string scope = DynatraceIngestReceiver.CustomRoutesPermission)
    {
        var (status, body) = await RequestTokenAsync(client, Form(receiver, scope));
        status.Should().Be(200);
        return body.GetProperty("access_token").GetString()!;
    }
}
