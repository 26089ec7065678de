using System;
using System.IO;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// What the token endpoint answers: a token response (<c>access_token</c>, <c>token_type</c>, <c>expires_in</c>,
/// <c>scope</c>, <c>resource</c>), or an error shaped like Dynatrace SSO's: <c>errorCode</c>, <c>message</c> and the
/// OAuth fields <c>error</c> and <c>error_description</c>.
/// </summary>
internal sealed class TokenAnswer
{
    const string Json = "application/json";

    TokenAnswer(int statusCode, byte[] body, string? contentType, string? error, string? issuedToken, ScriptedResponse? scripted = null)
    {
        RetryAfter = scripted?.RetryAfter;
        Location = scripted?.Location;
        StatusCode = statusCode;
        Body = body;
        ContentType = contentType;
        Error = error;
        IssuedToken = issuedToken;
    }

    /// <summary>The status to send; 0 means abort the connection without an answer.</summary>
    public int StatusCode { get; }

    public byte[] Body { get; }

    public string? ContentType { get; }

    public string? Error { get; }

    public string? IssuedToken { get; }

    /// <summary>The <c>Retry-After</c> header value of a scripted answer.</summary>
    public string? RetryAfter { get; }

    /// <summary>The <c>Location</c> header value of a scripted redirect.</summary>
    public string? Location { get; }

    public static TokenAnswer Drop { get; } = new(0, Array.Empty<byte>(), null, null, null);

    public static TokenAnswer Issued(string token, string scope, long expiresIn, string? resource)
    {
        var body = Write(writer =>
        {
            writer.WriteString("scope", scope);
            writer.WriteString("token_type", "Bearer");
            writer.WriteNumber("expires_in", expiresIn);
            writer.WriteString("access_token", token);
            if (resource is not null)
            {
                writer.WriteString("resource", resource);
            }
        });
        return new(200, body, Json, null, token);
    }

    public static TokenAnswer OAuthError(int statusCode, string error, string description)
    {
        var body = Write(writer =>
        {
            writer.WriteNumber("errorCode", statusCode);
            writer.WriteString("message", ReasonPhrases.GetReasonPhrase(statusCode));
            writer.WriteString("error", error);
            writer.WriteString("error_description", description);
        });
        return new(statusCode, body, Json, error, null);
    }

    /// <summary>A scripted non-2xx answer: its own body, else an OAuth error that fits the status.</summary>
    public static TokenAnswer Scripted(ScriptedResponse scripted)
    {
        if (scripted.Body is not null)
        {
            return new(scripted.StatusCode, Encoding.UTF8.GetBytes(scripted.Body), scripted.ContentType ?? Json, null, null, scripted);
        }

        if (scripted.StatusCode < 400)
        {
            return new(scripted.StatusCode, Array.Empty<byte>(), null, null, null, scripted);
        }


        var error = scripted.StatusCode switch
        {
            401 => "invalid_client",
            503 => "temporarily_unavailable",
            >= 500 => "server_error",
            _ => "invalid_request",
        };
        var answer = OAuthError(scripted.StatusCode, error, $"Scripted response: {scripted.StatusCode}");
        return new(answer.StatusCode, answer.Body, answer.ContentType, error, null, scripted);
    }

    static byte[] Write(Action<Utf8JsonWriter> members)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }
}
