using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>What the receiver decided to answer a request with, and the events to record when it is accepted.</summary>
internal sealed class IngestAnswer
{
    IngestAnswer(int statusCode, byte[]? body, string? contentType, string? retryAfter, string? allow, IReadOnlyList<JsonElement> events, string? location = null)
    {
        Location = location;
        StatusCode = statusCode;
        Body = body;
        ContentType = contentType;
        RetryAfter = retryAfter;
        Allow = allow;
        Events = events;
    }

    /// <summary>The status to send; 0 means abort the connection without an answer.</summary>
    public int StatusCode { get; }

    public byte[]? Body { get; }

    public string? ContentType { get; }

    public string? RetryAfter { get; }

    /// <summary>The <c>Location</c> header value of a scripted redirect.</summary>
    public string? Location { get; }

    /// <summary>The <c>Allow</c> header value for a 405 answer.</summary>
    public string? Allow { get; }

    /// <summary>Events to record; non-empty only for accepted requests.</summary>
    public IReadOnlyList<JsonElement> Events { get; }

    public bool IsDrop => StatusCode == 0;

    public static IngestAnswer Drop { get; } = new(0, null, null, null, null, Array.Empty<JsonElement>());

    public static IngestAnswer Error(int statusCode, string message, string? allow = null)
        => new(statusCode, ErrorEnvelope.Create(statusCode, message), ErrorEnvelope.ContentType, null, allow, Array.Empty<JsonElement>());

    public static IngestAnswer Accepted(IReadOnlyList<JsonElement> events, ScriptedResponse? scripted)
        => scripted is null
            ? new(202, null, null, null, null, events)
            : new(scripted.StatusCode, Encode(scripted.Body), ContentTypeOf(scripted), scripted.RetryAfter, null, events, scripted.Location);

    /// <summary>A scripted non-2xx answer: its own body, else an envelope for 4xx/5xx, else no body.</summary>
    public static IngestAnswer Scripted(ScriptedResponse scripted)
    {
        var body = Encode(scripted.Body);
        var contentType = ContentTypeOf(scripted);
        if (body is null && scripted.StatusCode >= 400)
        {
            var reason = ReasonPhrases.GetReasonPhrase(scripted.StatusCode);
            body = ErrorEnvelope.Create(scripted.StatusCode, $"Scripted response: {scripted.StatusCode} {reason}".TrimEnd());
            contentType = ErrorEnvelope.ContentType;
        }

        return new(scripted.StatusCode, body, contentType, scripted.RetryAfter, null, Array.Empty<JsonElement>(), scripted.Location);
    }

    static byte[]? Encode(string? body) => body is null ? null : Encoding.UTF8.GetBytes(body);

    static string? ContentTypeOf(ScriptedResponse scripted)
        => scripted.Body is null ? null : scripted.ContentType ?? ErrorEnvelope.ContentType;
}
