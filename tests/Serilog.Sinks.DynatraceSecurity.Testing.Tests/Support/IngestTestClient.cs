using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;

/// <summary>A real HttpClient over loopback to one receiver, with helpers to build ingest requests.</summary>
internal sealed class IngestTestClient : IDisposable
{
    public const string CustomPath = "/platform/ingest/custom/security.events/my.endpoint";
    /// <summary>A complete event: the receiver checks for the fields Dynatrace's security apps need by default.</summary>
    public static readonly string OneEvent = Event("e-1", "\"event.type\":\"DETECTION_FINDING\"");

    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(10);

    readonly DynatraceIngestReceiver _receiver;

    public IngestTestClient(DynatraceIngestReceiver receiver)
    {
        _receiver = receiver;
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = receiver.EnvironmentUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public HttpClient Http { get; }

    public string ApiTokenHeader => $"Api-Token {_receiver.AccessToken}";

    /// <summary>
    /// A JSON object with event id <paramref name="id"/>, the other eight fields Dynatrace's Threats &amp; Exploits app
    /// needs, and <paramref name="properties"/> (JSON members, without braces) after them.
    /// </summary>
    public static string Event(string id, string properties = "")
    {
        var fields =
            $"\"event.id\":\"{id}\",\"event.provider\":\"tests\",\"finding.type\":\"test\",\"finding.id\":\"{id}\"," +
            "\"finding.time.created\":\"2026-11-27T10:15:02Z\",\"finding.title\":\"A test finding\"," +
            "\"dt.security.risk.level\":\"LOW\",\"object.id\":\"tests\",\"object.type\":\"PROCESS\"";
        return "{" + fields + (properties.Length == 0 ? string.Empty : "," + properties) + "}";
    }

    public static HttpContent Json(string json, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content, string? authorization)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }

    /// <summary>POST with the receiver's token as Api-Token, unless another Authorization value is given.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string json, string? authorization = "", string? contentType = "application/json", CancellationToken cancellationToken = default)
        => PostAsync(path, Json(json, contentType), authorization, cancellationToken);

    public Task<HttpResponseMessage> PostAsync(string path, HttpContent content, string? authorization = "", CancellationToken cancellationToken = default)
        => Http.SendAsync(Request(HttpMethod.Post, path, content, authorization == "" ? ApiTokenHeader : authorization), cancellationToken);

    /// <summary>Asserts the answer is a Dynatrace ErrorResponseEnvelope with this code, and returns its message.</summary>
    public static async Task<string> ReadEnvelopeAsync(HttpResponseMessage response, int expectedStatus)
    {
        ((int)response.StatusCode).Should().Be(expectedStatus);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        error.GetProperty("code").GetInt32().Should().Be(expectedStatus);
        var message = error.GetProperty("message").GetString()!;
        message.Should().NotBeNullOrWhiteSpace();
        return message;
    }

    public void Dispose() => Http.Dispose();
}
