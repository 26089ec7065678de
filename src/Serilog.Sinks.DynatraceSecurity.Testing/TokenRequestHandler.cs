using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Answers the OAuth token endpoint the way Dynatrace SSO does for the client-credentials grant, in order: method (405),
/// scripted token response, form content type (400 <c>invalid_request</c>), <c>grant_type</c> (400
/// <c>unsupported_grant_type</c>), client id and secret (401 <c>invalid_client</c>), <c>scope</c> (400
/// <c>invalid_scope</c>), then 200 with a new token. Every request is recorded before its answer is sent.
/// </summary>
internal sealed class TokenRequestHandler
{
    /// <summary>A form holding a token request is a few hundred bytes; anything near this is not one.</summary>
    const long MaxBodyBytes = 64 * 1024;

    readonly DynatraceIngestReceiverOptions _settings;
    readonly OAuthTokenIssuer _issuer;
    readonly ReceiverRecorder _recorder;
    readonly CancellationToken _shutdown;

    public TokenRequestHandler(
        DynatraceIngestReceiverOptions settings, ReceiverRecorder recorder, OAuthTokenIssuer issuer, CancellationToken shutdown)
    {
        _settings = settings;
        _issuer = issuer;
        _recorder = recorder;
        _shutdown = shutdown;
    }

    /// <summary>The scripted answers, oldest first, that the next token requests take.</summary>
    public ConcurrentQueue<ScriptedResponse> Script { get; } = new();

    public async Task HandleAsync(HttpContext context)
    {
        _recorder.RegisterArrival(out var receivedAt);
        var request = context.Request;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown);
        IReadOnlyDictionary<string, string> form = ReadOnlyDictionary<string, string>.Empty;
        Answer answer;
        try
        {
            var (body, refusal) = await RequestBodyReader.ReadAsync(request, MaxBodyBytes, gzip: false, aborted.Token)
                .ConfigureAwait(false);
            form = refusal is null ? ParseForm(request, body) : form;
            answer = await DecideAsync(request, form, readable: refusal is null, aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            answer = Answer.Drop;
        }

        _recorder.RecordToken(new ReceivedTokenRequest(receivedAt, request, form, answer.Status, answer.OAuthError, answer.IssuedToken));

        context.Response.Headers.CacheControl = "no-store"; // token responses must not be cached (RFC 6749, 5.1)
        await answer.WriteAsync(context, aborted.Token).ConfigureAwait(false);
    }

    async Task<Answer> DecideAsync(
        HttpRequest request, IReadOnlyDictionary<string, string> form, bool readable, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return OAuthError(405, "invalid_request", $"Method {request.Method} is not allowed; use POST.");
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

            // Unlike on the ingest routes, a 2xx with a body is answered as is: a token response a test writes itself.
            if (scripted.StatusCode is < 200 or > 299 || scripted.Body is not null)
            {
                return Scripted(scripted);
            }
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return OAuthError(400, "invalid_request", "The token request must be sent as application/x-www-form-urlencoded.");
        }

        if (!readable)
        {
            return OAuthError(400, "invalid_request", "The token request body is too large or could not be read.");
        }

        if (!form.TryGetValue("grant_type", out var grantType) || grantType != "client_credentials")
        {
            return OAuthError(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        }

        if (!form.TryGetValue("client_id", out var clientId) || !form.TryGetValue("client_secret", out var secret)
            || !string.Equals(clientId, _settings.OAuthClientId, StringComparison.Ordinal)
            || !string.Equals(secret, _settings.OAuthClientSecret, StringComparison.Ordinal))
        {
            return OAuthError(401, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret.");
        }

        form.TryGetValue("scope", out var scope);
        var permissions = (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (permissions.Length == 0)
        {
            return OAuthError(400, "invalid_scope", "The token request names no scope.");
        }

        var unknown = permissions.Where(p => !_settings.OAuthScopes.Contains(p)).ToArray();
        if (unknown.Length > 0)
        {
            return OAuthError(400, "invalid_scope", $"The client is not granted: {string.Join(" ", unknown)}.");
        }

        form.TryGetValue("resource", out var resource);
        var token = _issuer.Issue(permissions);
        var body = new Dictionary<string, object?>
        {
            ["scope"] = string.Join(" ", permissions),
            ["token_type"] = "Bearer",
            ["expires_in"] = _issuer.ExpiresInSeconds,
            ["access_token"] = token,
        };
        if (resource is not null)
        {
            body["resource"] = resource;
        }

        return new Answer(200, JsonSerializer.Serialize(body), Answer.Json) { IssuedToken = token };
    }

    /// <summary>An error answered as Dynatrace SSO does, the same shape as a scripted <see cref="ScriptedResponse.OAuthError"/>.</summary>
    static Answer OAuthError(int status, string error, string description) =>
        Answer.Scripted(ScriptedResponse.OAuthError(status, error, description)) with { OAuthError = error };

    /// <summary>A scripted answer: its own body, else for an error status an OAuth error that fits it.</summary>
    static Answer Scripted(ScriptedResponse scripted)
    {
        if (scripted.Body is not null || scripted.StatusCode < 400)
        {
            return Answer.Scripted(scripted);
        }

        var error = scripted.StatusCode switch
        {
            401 => "invalid_client",
            503 => "temporarily_unavailable",
            >= 500 => "server_error",
            _ => "invalid_request",
        };
        var fitting = ScriptedResponse.OAuthError(scripted.StatusCode, error, $"Scripted response: {scripted.StatusCode}");
        return Answer.Scripted(scripted, fitting.Body) with { OAuthError = error };
    }

    /// <summary>The decoded form fields of a form body; empty for any other body. A repeated field keeps its first value.</summary>
    static IReadOnlyDictionary<string, string> ParseForm(HttpRequest request, byte[] body)
    {
        if (!request.HasFormContentType)
        {
            return ReadOnlyDictionary<string, string>.Empty;
        }

        var fields = new FormReader(Encoding.UTF8.GetString(body)).ReadForm();
        return new ReadOnlyDictionary<string, string>(
            fields.ToDictionary(field => field.Key, field => field.Value[0] ?? string.Empty, StringComparer.Ordinal));
    }
}
