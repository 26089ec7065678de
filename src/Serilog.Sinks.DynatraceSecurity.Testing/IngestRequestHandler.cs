using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Answers one ingest request following the contract, in order: route (404/405), scripted response, token (401; 403 for an
/// OAuth token without the route's permission), endpoint name (400/404), content type (400), size (413), JSON shape
/// (400), the security app's fields and the custom check (400), then 202 and record the events.
/// Every request is recorded with the status it is answered with, before the answer is sent.
/// </summary>
internal sealed class IngestRequestHandler
{
    const string AllowedMethod = "POST";

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
        IngestAnswer answer;
        try
        {
            (body, var bodyRefusal) = await RequestBodyReader.ReadAsync(request, _settings.MaxRequestBytes, gzip, aborted.Token).ConfigureAwait(false);
            answer = await DecideAsync(request, route, bodyRefusal, body, aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            answer = IngestAnswer.Drop;
        }
        catch (Exception ex)
        {
            answer = IngestAnswer.Error(500, $"The local receiver failed: {ex.GetType().Name}: {ex.Message}");
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
            answer.StatusCode);

        // Record before answering, so a client that has seen the answer always finds the request recorded.
        _recorder.Record(received, answer.Events.Select(json => new ReceivedEvent(received, json)));

        if (answer.IsDrop)
        {
            context.Abort();
        }
        else
        {
            await WriteAsync(context.Response, answer, HttpMethods.IsHead(request.Method), aborted.Token).ConfigureAwait(false);
        }
    }

    async Task<IngestAnswer> DecideAsync(HttpRequest request, IngestRouteMatch? route, (int Status, string Message)? bodyRefusal, byte[] body, CancellationToken cancellationToken)
    {
        if (route is null)
        {
            return IngestAnswer.Error(404, $"No ingest route matches '{request.Path}'.");
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return IngestAnswer.Error(405, $"Method {request.Method} is not allowed on this route; use POST.", AllowedMethod);
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
                return IngestAnswer.Drop;
            }

            if (scripted.StatusCode is < 200 or > 299)
            {
                return IngestAnswer.Scripted(scripted);
            }
        }

        if (AuthorizationCheck.Validate(request.Headers, _settings.AcceptedTokens, _tokens, route.RequiredPermission) is { } authProblem)
        {
            return IngestAnswer.Error(authProblem.Status, authProblem.Message);
        }

        if (route.Endpoint is { } endpoint)
        {
            if (EndpointNameRules.Validate(endpoint) is { } nameProblem)
            {
                return IngestAnswer.Error(400, nameProblem);
            }

            if (_settings.Endpoints is { } known && !known.Contains(endpoint))
            {
                return IngestAnswer.Error(404, $"The custom endpoint '{endpoint}' does not exist.");
            }
        }

        if (ContentTypeCheck.Validate(request, _settings.AcceptGzip) is { } contentProblem)
        {
            return IngestAnswer.Error(400, contentProblem);
        }

        if (bodyRefusal is { } refusal)
        {
            return IngestAnswer.Error(refusal.Status, refusal.Message);
        }

        var payload = EventPayloadParser.Parse(body);
        if (payload.Error is { } payloadProblem)
        {
            return IngestAnswer.Error(400, payloadProblem);
        }

        if (_settings.RequireSecurityAppFields)
        {
            for (var index = 0; index < payload.Events.Count; index++)
            {
                if (SecurityAppFieldsCheck.Validate(payload.Events[index], index) is { } fieldsProblem)
                {
                    return IngestAnswer.Error(400, fieldsProblem);
                }
            }
        }

        if (_settings.ValidateEvent is { } validate)
        {
            foreach (var candidate in payload.Events)
            {
                if (validate(candidate) is { } eventProblem)
                {
                    return IngestAnswer.Error(400, eventProblem);
                }
            }
        }

        return IngestAnswer.Accepted(payload.Events, scripted);
    }

    /// <summary>Whether the request's only content encoding is gzip.</summary>
    public static bool IsGzip(HttpRequest request) =>
        request.Headers.ContentEncoding.Count == 1 &&
        string.Equals(request.Headers.ContentEncoding[0]?.Trim(), "gzip", StringComparison.OrdinalIgnoreCase);

    static async Task WriteAsync(HttpResponse response, IngestAnswer answer, bool isHead, CancellationToken cancellationToken)
    {
        response.StatusCode = answer.StatusCode;
        if (answer.RetryAfter is not null)
        {
            response.Headers.RetryAfter = answer.RetryAfter;
        }

        if (answer.Location is not null)
        {
            response.Headers.Location = answer.Location;
        }

        if (answer.Allow is not null)
        {
            response.Headers.Allow = answer.Allow;
        }

        var statusForbidsBody = answer.StatusCode is 204 or 205 or 304;
        if (answer.Body is null || statusForbidsBody || isHead)
        {
            if (!statusForbidsBody)
            {
                response.ContentLength = 0;
            }

            return;
        }

        response.ContentType = answer.ContentType;
        response.ContentLength = answer.Body.Length;
        try
        {
            await response.Body.WriteAsync(answer.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away while the answer was written; the decided status is still what was answered.
        }
    }
}
