using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// What a handler decided to answer, and what is recorded with it. It is written only after the request is recorded,
/// so that a client that has seen the answer always finds its request recorded. Status 0 drops the connection.
/// </summary>
internal sealed record Answer(int Status, string? Body = null, string? ContentType = null)
{
    public const string Json = "application/json";

    public static Answer Drop { get; } = new(0);

    public string? RetryAfter { get; init; }

    public string? Location { get; init; }

    /// <summary>The events of an accepted ingest request.</summary>
    public IReadOnlyList<JsonElement> Events { get; init; } = Array.Empty<JsonElement>();

    /// <summary>The OAuth <c>error</c> a token request is answered with.</summary>
    public string? OAuthError { get; init; }

    /// <summary>The access token a token request is answered with.</summary>
    public string? IssuedToken { get; init; }

    /// <summary>A scripted answer, with its own body or else <paramref name="bodyWhenNone"/> (JSON), if any.</summary>
    public static Answer Scripted(ScriptedResponse scripted, string? bodyWhenNone = null)
    {
        var contentType = scripted.Body is not null ? scripted.ContentType ?? Json
            : bodyWhenNone is not null ? Json
            : null;
        return new(scripted.StatusCode, scripted.Body ?? bodyWhenNone, contentType)
        {
            RetryAfter = scripted.RetryAfter,
            Location = scripted.Location,
        };
    }

    public async Task WriteAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (Status == 0)
        {
            context.Abort();
            return;
        }

        var response = context.Response;
        response.StatusCode = Status;
        if (Status == 405)
        {
            response.Headers.Allow = "POST"; // every route here takes POST only
        }

        if (RetryAfter is not null)
        {
            response.Headers.RetryAfter = RetryAfter;
        }

        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        // 204, 205 and 304 carry neither a body nor a Content-Length; the answer to HEAD has no body.
        var statusForbidsBody = Status is 204 or 205 or 304;
        if (Body is null || statusForbidsBody || HttpMethods.IsHead(context.Request.Method))
        {
            if (!statusForbidsBody)
            {
                response.ContentLength = 0;
            }

            return;
        }

        var bytes = Encoding.UTF8.GetBytes(Body);
        response.ContentType = ContentType;
        response.ContentLength = bytes.Length;
        try
        {
            await response.Body.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away while the answer was written; the decided status is still what was answered.
        }
    }
}
