using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Answers one ingest request following the contract, in order: route (404/405), scripted response, token (401; 403 for an
/// OAuth token without the route's permission), endpoint name (400/404), content type (400), size (413), JSON shape
/// (400), the security app's fields and the custom check (400), then 202 and record the events.
/// Every request is recorded with the status it is answered with, before the answer is sent.
/// </summary>
internal sealed class IngestRequestHandler
{
    static readonly (string Prefix, DynatraceIngestRouteKind Kind)[] CustomRoutes =
    {
        ("/platform/ingest/custom/security.events/", DynatraceIngestRouteKind.CustomSecurityEvents),
        ("/platform/ingest/custom/events.security/", DynatraceIngestRouteKind.CustomEventsSecurityLegacy),
    };

    readonly DynatraceIngestReceiverOptions _settings;
    readonly ReceiverRecorder _recorder;
    readonly OAuthTokenIssuer _tokens;
    readonly CancellationToken _shutdown;

    public IngestRequestHandler(
        DynatraceIngestReceiverOptions settings, ReceiverRecorder recorder, OAuthTokenIssuer tokens, CancellationToken shutdown)
    {
        _settings = settings;
        _recorder = recorder;
        _tokens = tokens;
        _shutdown = shutdown;
    }

    /// <summary>The scripted responses, oldest first, that the next requests on a known POST route take.</summary>
    public ConcurrentQueue<ScriptedResponse> Script { get; } = new();

    public async Task HandleAsync(HttpContext context)
    {
        var sequence = _recorder.RegisterArrival(out var receivedAt);
        var request = context.Request;
        var path = request.PathBase.Add(request.Path).Value ?? string.Empty;
        var route = MatchRoute(path);

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown);
        var gzip = _settings.AcceptGzip && IsGzip(request);
        var body = Array.Empty<byte>();
        Answer answer;
        try
        {
            (body, var bodyRefusal) = await RequestBodyReader.ReadAsync(request, _settings.MaxRequestBytes, gzip, aborted.Token)
                .ConfigureAwait(false);
            answer = await DecideAsync(request, route, gzip, bodyRefusal, body, aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            answer = Answer.Drop;
        }
        catch (Exception ex)
        {
            answer = Error(500, $"The local receiver failed: {ex.GetType().Name}: {ex.Message}");
        }

        _recorder.Record(
            new ReceivedRequest(sequence, receivedAt, request, path, route?.Kind, route?.Endpoint, body, answer.Status), answer.Events);
        await answer.WriteAsync(context, aborted.Token).ConfigureAwait(false);
    }

    /// <summary>Null when <paramref name="name"/> is a valid custom endpoint name, otherwise what is wrong with it.</summary>
    public static string? EndpointNameProblem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "The endpoint name is empty.";
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(name[i]) && name[i] != '.')
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"The endpoint name '{name}' contains the character U+{(int)name[i]:X4} at position {i}; only letters, digits and dots are allowed.");
            }
        }

        if (name[0] == '.')
        {
            return $"The endpoint name '{name}' starts with a dot; it must start with a letter or digit.";
        }

        if (name.Contains("..", StringComparison.Ordinal))
        {
            return $"The endpoint name '{name}' contains '..'.";
        }

        return name[^1] == '.' ? $"The endpoint name '{name}' ends with a dot." : null;
    }

    async Task<Answer> DecideAsync(
        HttpRequest request,
        (DynatraceIngestRouteKind Kind, string? Endpoint)? route,
        bool gzip,
        (int Status, string Message)? bodyRefusal,
        byte[] body,
        CancellationToken cancellationToken)
    {
        if (route is not { } matched)
        {
            return Error(404, $"No ingest route matches '{request.Path}'.");
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return Error(405, $"Method {request.Method} is not allowed on this route; use POST.");
        }

        Script.TryDequeue(out var scripted);
        if (scripted is not null)
        {
            if (scripted.Delay != TimeSpan.Zero)
            {
                await Task.Delay(scripted.Delay, cancellationToken).ConfigureAwait(false);
            }

            if (scripted.DropConnection)
            {
                return Answer.Drop;
            }

            // Outside 2xx, the script is the answer: its own body, else (for an error) an envelope.
            if (scripted.StatusCode is < 200 or > 299)
            {
                var message = $"Scripted response: {scripted.StatusCode} {ReasonPhrases.GetReasonPhrase(scripted.StatusCode)}".TrimEnd();
                return Answer.Scripted(scripted, scripted.StatusCode >= 400 ? Envelope(scripted.StatusCode, message) : null);
            }
        }

        // Only the custom-endpoint routes have an endpoint name, and their own permission.
        var endpoint = matched.Endpoint;
        var permission = endpoint is null ? DynatraceIngestReceiver.BuiltInRoutesPermission : DynatraceIngestReceiver.CustomRoutesPermission;
        if (CheckToken(request.Headers.Authorization, permission) is { } tokenRefusal)
        {
            return Error(tokenRefusal.Status, tokenRefusal.Message);
        }

        if (endpoint is not null)
        {
            if (EndpointNameProblem(endpoint) is { } nameProblem)
            {
                return Error(400, nameProblem);
            }

            if (_settings.Endpoints is { } known && !known.Contains(endpoint, StringComparer.OrdinalIgnoreCase))
            {
                return Error(404, $"The custom endpoint '{endpoint}' does not exist.");
            }
        }

        if (ContentProblem(request, gzip) is { } contentProblem)
        {
            return Error(400, contentProblem);
        }

        if (bodyRefusal is { } refusal)
        {
            return Error(refusal.Status, refusal.Message);
        }

        var (events, payloadProblem) = EventPayloadParser.Parse(body, _settings.RequireSecurityAppFields, _settings.ValidateEvent);
        if (payloadProblem is not null)
        {
            return Error(400, payloadProblem);
        }

        return (scripted is null ? new Answer(202) : Answer.Scripted(scripted)) with { Events = events };
    }

    /// <summary>
    /// Null when the request carries an accepted token (<c>Api-Token</c> or <c>Bearer</c>, scheme case-insensitive,
    /// token exact), or an OAuth token issued here that is valid and has <paramref name="permission"/>; otherwise the
    /// status (401, or 403 for a missing permission) and a message, which never quotes the token.
    /// </summary>
    (int Status, string Message)? CheckToken(StringValues authorization, string permission)
    {
        if (authorization.Count != 1)
        {
            return (401, authorization.Count == 0
                ? "Missing Authorization header. Send 'Authorization: Api-Token <token>' or 'Authorization: Bearer <token>'."
                : "More than one Authorization header was sent.");
        }

        var value = authorization[0] ?? string.Empty;
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return (401, "The Authorization header has no scheme. Send 'Api-Token <token>' or 'Bearer <token>'.");
        }

        var scheme = value.Substring(0, space);
        var bearer = scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
        if (!bearer && !scheme.Equals("Api-Token", StringComparison.OrdinalIgnoreCase))
        {
            return (401, "Unsupported Authorization scheme; use 'Api-Token' or 'Bearer'.");
        }

        var token = value.Substring(space + 1).Trim();
        if (_settings.AcceptedTokens.Contains(token, StringComparer.Ordinal))
        {
            return null;
        }

        // Not a configured token: an OAuth token (always sent as Bearer) is checked against what the endpoint issued.
        return bearer && token.Length > 0 ? _tokens.Check(token, permission) : (401, "The access token is missing or invalid.");
    }

    /// <summary>
    /// Null for <c>Content-Type: application/json</c> (parameters allowed) without a <c>Content-Encoding</c> other than
    /// <c>identity</c> (compressed ingest is not documented for OpenPipeline), except gzip when accepted; otherwise a
    /// message for a 400 (not 415).
    /// </summary>
    static string? ContentProblem(HttpRequest request, bool gzip)
    {
        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "Missing Content-Type header; expected application/json.";
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            || !parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return $"Unsupported Content-Type '{contentType}'; expected application/json.";
        }

        var encoding = gzip ? null : request.Headers.ContentEncoding.FirstOrDefault(
            e => !string.IsNullOrWhiteSpace(e) && !e.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase));
        return encoding is null ? null : $"Unsupported Content-Encoding '{encoding}'; the local receiver accepts uncompressed JSON only.";
    }

    /// <summary>The route of <paramref name="path"/> (ordinal, case-sensitive), with a custom route's endpoint name, or null.</summary>
    /// <remarks>A custom route takes exactly one segment after its prefix: an empty one still matches (and is then refused
    /// as an empty endpoint name), a further <c>/</c> does not.</remarks>
    static (DynatraceIngestRouteKind Kind, string? Endpoint)? MatchRoute(string path)
    {
        switch (path)
        {
            case "/platform/ingest/v1/security.events":
                return (DynatraceIngestRouteKind.BuiltInSecurityEvents, null);
            case "/platform/ingest/v1/events.security":
                return (DynatraceIngestRouteKind.BuiltInEventsSecurityLegacy, null);
        }

        foreach (var (prefix, kind) in CustomRoutes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                var endpoint = path.Substring(prefix.Length);
                return endpoint.Contains('/', StringComparison.Ordinal) ? null : (kind, endpoint);
            }
        }

        return null;
    }

    /// <summary>Whether the request's only content encoding is gzip.</summary>
    static bool IsGzip(HttpRequest request) =>
        request.Headers.ContentEncoding.Count == 1
        && string.Equals(request.Headers.ContentEncoding[0]?.Trim(), "gzip", StringComparison.OrdinalIgnoreCase);

    /// <summary>An error answer with a Dynatrace <c>ErrorResponseEnvelope</c>.</summary>
    static Answer Error(int status, string message) => new(status, Envelope(status, message), Answer.Json);

    static string Envelope(int status, string message) => JsonSerializer.Serialize(new { error = new { code = status, message } });
}
