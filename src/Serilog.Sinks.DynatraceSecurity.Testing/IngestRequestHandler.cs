using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Answers one ingest request following the contract, in order: route (404/405), scripted response, token (401; 403 for an
/// OAuth token without the route's permission), endpoint name (400/404), content type (400), size (413), JSON shape
/// (400), the security app's fields and the custom check (400), then 202 and record the events.
/// Every request is recorded with the status it is answered with, before the answer is sent.
/// </summary>
internal sealed class IngestRequestHandler
{
    readonly ReceiverSettings _settings;
    readonly ReceiverRecorder _recorder;
    readonly ScriptedResponseQueue _script;
    readonly OAuthTokenIssuer _tokens;
    readonly CancellationToken _shutdown;

    public IngestRequestHandler(ReceiverSettings settings, ReceiverRecorder recorder, ScriptedResponseQueue script, OAuthTokenIssuer tokens, CancellationToken shutdown)
    {
        _tokens = tokens;
        _settings = settings;
        _recorder = recorder;
        _script = script;
        _shutdown = shutdown;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var sequence = _recorder.RegisterArrival();
        var receivedAt = DateTimeOffset.UtcNow;
        var request = context.Request;
        var path = request.PathBase.Add(request.Path).Value ?? string.Empty;
        var route = IngestRouteTable.Match(path);

        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown);
        var gzip = _settings.AcceptGzip && IsGzip(request);
        var body = Array.Empty<byte>();
        Answer answer;
        try
        {
            (body, var bodyRefusal) = await RequestBodyReader.ReadAsync(request, _settings.MaxRequestBytes, gzip, aborted.Token).ConfigureAwait(false);
            answer = await DecideAsync(request, route, bodyRefusal, body, aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            answer = Answer.Drop;
        }
        catch (Exception ex)
        {
            answer = Error(500, $"The local receiver failed: {ex.GetType().Name}: {ex.Message}");
        }

        var received = new ReceivedRequest(
            sequence,
            receivedAt,
            request.Method,
            path,
            request.QueryString.Value ?? string.Empty,
            route?.Kind,
            route?.Endpoint,
            RequestHeaderSnapshot.Capture(request.Headers),
            AuthorizationCheck.SchemeOf(request.Headers),
            body,
            answer.Status);

        // Record before answering, so a client that has seen the answer always finds the request recorded.
        _recorder.Record(received, answer.Events.Select(json => new ReceivedEvent(received, json)));

        await answer.WriteAsync(context, aborted.Token).ConfigureAwait(false);
    }

    async Task<Answer> DecideAsync(HttpRequest request, IngestRouteMatch? route, (int Status, string Message)? bodyRefusal, byte[] body, CancellationToken cancellationToken)
    {
        if (route is null)
        {
            return Error(404, $"No ingest route matches '{request.Path}'.");
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return Error(405, $"Method {request.Method} is not allowed on this route; use POST.");
        }

        var scripted = _script.TryDequeue();
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
                var reason = ReasonPhrases.GetReasonPhrase(scripted.StatusCode);
                var envelope = scripted.StatusCode >= 400 ? Envelope(scripted.StatusCode, $"Scripted response: {scripted.StatusCode} {reason}".TrimEnd()) : null;
                return Answer.Scripted(scripted, envelope);
            }
        }

        if (AuthorizationCheck.Validate(request.Headers, _settings.AcceptedTokens, _tokens, route.RequiredPermission) is { } authProblem)
        {
            return Error(authProblem.Status, authProblem.Message);
        }

        if (route.Endpoint is { } endpoint)
        {
            if (EndpointNameRules.Validate(endpoint) is { } nameProblem)
            {
                return Error(400, nameProblem);
            }

            if (_settings.Endpoints is { } known && !known.Contains(endpoint))
            {
                return Error(404, $"The custom endpoint '{endpoint}' does not exist.");
            }
        }

        if (ContentTypeCheck.Validate(request, _settings.AcceptGzip) is { } contentProblem)
        {
            return Error(400, contentProblem);
        }

        if (bodyRefusal is { } refusal)
        {
            return Error(refusal.Status, refusal.Message);
        }

        var payload = EventPayloadParser.Parse(body);
        if (payload.Error is { } payloadProblem)
        {
            return Error(400, payloadProblem);
        }

        if (_settings.RequireSecurityAppFields)
        {
            for (var index = 0; index < payload.Events.Count; index++)
            {
                if (SecurityAppFieldsCheck.Validate(payload.Events[index], index) is { } fieldsProblem)
                {
                    return Error(400, fieldsProblem);
                }
            }
        }

        if (_settings.ValidateEvent is { } validate)
        {
            foreach (var candidate in payload.Events)
            {
                if (validate(candidate) is { } eventProblem)
                {
                    return Error(400, eventProblem);
                }
            }
        }

        return (scripted is null ? new Answer(202) : Answer.Scripted(scripted)) with { Events = payload.Events };
    }

    /// <summary>Whether the request's only content encoding is gzip.</summary>
    public static bool IsGzip(HttpRequest request) =>
        request.Headers.ContentEncoding.Count == 1 &&
        string.Equals(request.Headers.ContentEncoding[0]?.Trim(), "gzip", StringComparison.OrdinalIgnoreCase);

    /// <summary>An error answer with a Dynatrace <c>ErrorResponseEnvelope</c>.</summary>
    static Answer Error(int status, string message) => new(status, Envelope(status, message), Answer.Json);

    static string Envelope(int status, string message) => JsonSerializer.Serialize(new { error = new { code = status, message } });
}
