using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Text;
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

    readonly ReceiverSettings _settings;
    readonly OAuthTokenIssuer _issuer;
    readonly ReceiverRecorder _recorder;
    readonly ScriptedResponseQueue _script;
    readonly CancellationToken _shutdown;

    public TokenRequestHandler(ReceiverSettings settings, OAuthTokenIssuer issuer, ReceiverRecorder recorder, ScriptedResponseQueue script, CancellationToken shutdown)
    {
        _settings = settings;
        _issuer = issuer;
        _recorder = recorder;
        _script = script;
        _shutdown = shutdown;
    }

    public async Task HandleAsync(HttpContext context)
    {
        _recorder.RegisterArrival();
        var receivedAt = DateTimeOffset.UtcNow;
        var request = context.Request;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown);
        IReadOnlyDictionary<string, string> form = ReadOnlyDictionary<string, string>.Empty;
        TokenAnswer answer;
        try
        {
            var (body, refusal) = await RequestBodyReader.ReadAsync(request, MaxBodyBytes, gzip: false, aborted.Token).ConfigureAwait(false);
            var readable = refusal is null;
            form = readable ? ParseForm(request, body) : form;
            answer = await DecideAsync(request, form, readable, aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            answer = TokenAnswer.Drop;
        }

        _recorder.RecordToken(new ReceivedTokenRequest(receivedAt, request.Method, RequestHeaderSnapshot.Capture(request.Headers), form,
            answer.StatusCode, answer.Error, answer.IssuedToken));

        if (answer.StatusCode == 0)
        {
            context.Abort();
            return;
        }

        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        if (answer.StatusCode == 405)
        {
            response.Headers.Allow = "POST";
        }

        if (answer.RetryAfter is not null)
        {
            response.Headers.RetryAfter = answer.RetryAfter;
        }

        if (answer.Location is not null)
        {
            response.Headers.Location = answer.Location;
        }

        // Token responses must not be cached (RFC 6749, 5.1).
        response.Headers.CacheControl = "no-store";
        response.ContentLength = answer.Body.Length;
        if (answer.ContentType is not null)
        {
            response.ContentType = answer.ContentType;
        }

        try
        {
            await response.Body.WriteAsync(answer.Body, aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away while the answer was written; the decided status is still what was answered.
        }
    }

    async Task<TokenAnswer> DecideAsync(HttpRequest request, IReadOnlyDictionary<string, string> form, bool readable, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return TokenAnswer.OAuthError(405, "invalid_request", $"Method {request.Method} is not allowed; use POST.");
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
                return TokenAnswer.Drop;
            }

            // Unlike on the ingest routes, a 2xx with a body is answered as is: a token response a test writes itself.
            if (scripted.StatusCode is < 200 or > 299 || scripted.Body is not null)
            {
                return TokenAnswer.Scripted(scripted);
            }
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return TokenAnswer.OAuthError(400, "invalid_request", "The token request must be sent as application/x-www-form-urlencoded.");
        }

        if (!readable)
        {
            return TokenAnswer.OAuthError(400, "invalid_request", "The token request body is too large or could not be read.");
        }

        if (!form.TryGetValue("grant_type", out var grantType) || grantType != "client_credentials")
        {
            return TokenAnswer.OAuthError(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");
        }

        if (!form.TryGetValue("client_id", out var clientId) || !form.TryGetValue("client_secret", out var secret)
            || !string.Equals(clientId, _settings.OAuthClientId, StringComparison.Ordinal)
            || !string.Equals(secret, _settings.OAuthClientSecret, StringComparison.Ordinal))
        {
            return TokenAnswer.OAuthError(401, "invalid_client", "Client authentication failed: unknown client_id or wrong client_secret.");
        }

        form.TryGetValue("scope", out var scope);
        var permissions = (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (permissions.Length == 0)
        {
            return TokenAnswer.OAuthError(400, "invalid_scope", "The token request names no scope.");
        }

        var unknown = permissions.Where(p => !_settings.OAuthScopes.Contains(p)).ToArray();
        if (unknown.Length > 0)
        {
            return TokenAnswer.OAuthError(400, "invalid_scope", $"The client is not granted: {string.Join(" ", unknown)}.");
        }

        form.TryGetValue("resource", out var resource);
        var token = _issuer.Issue(permissions);
        return TokenAnswer.Issued(token, string.Join(" ", permissions), _issuer.ExpiresInSeconds, resource);
    }

    /// <summary>The decoded form fields of a form body; empty for any other body. A repeated field keeps its first value.</summary>
    static IReadOnlyDictionary<string, string> ParseForm(HttpRequest request, byte[] body)
    {
        if (!request.HasFormContentType)
        {
            return ReadOnlyDictionary<string, string>.Empty;
        }

        var fields = new FormReader(Encoding.UTF8.GetString(body)).ReadForm();
        return new ReadOnlyDictionary<string, string>(fields.ToDictionary(f => f.Key, f => f.Value[0] ?? string.Empty, StringComparer.Ordinal));
    }
}
