using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Configuration;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// One token request (OAuth client-credentials grant) over the sink's own HTTP client, so the user's handler, the
/// refusal to follow redirects and the absence of trace headers apply to it as to ingest requests. A transport: it
/// says what happened and leaves what that means to <c>DeliveryPolicy</c>. Never throws for HTTP, network or timeout
/// failures, and never returns the secret.
/// </summary>
internal sealed class TokenEndpointClient
{
    /// <summary>A token response is a few KB at most (a JWT and a few fields); anything longer is not one.</summary>
    const int MaximumTokenResponseBytes = 64 * 1024;
    static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(1);

    readonly HttpClient _httpClient;
    readonly Credentials _client;
    readonly TimeProvider _time;

    public TokenEndpointClient(HttpClient httpClient, Credentials client, TimeProvider time)
    {
        _httpClient = httpClient;
        _client = client;
        _time = time;
    }

    /// <summary>Requests a token; <paramref name="redact"/> removes every secret from what is reported.</summary>
    public async Task<TokenAnswer> RequestAsync(Func<string, string> redact, CancellationToken timeout)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_id", _client.ClientId!),
            new("client_secret", _client.ClientSecret!),
            new("scope", _client.Scope!),
        };
        if (_client.Resource != null)
            fields.Add(new KeyValuePair<string, string>("resource", _client.Resource));

        using var request = new HttpRequestMessage(HttpMethod.Post, _client.TokenUrl) { Content = new FormUrlEncodedContent(fields) };
        try
        {
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout)
                .ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var redirectHost = ResponseReader.RedirectHost(response, status, _client.TokenUrl!);
            if (redirectHost != null)
                return TokenAnswer.Failed(IngestResult.TokenFailure(status, null, redirectHost: redirectHost));

            if (status is >= 200 and < 300)
            {
                var body = await ResponseReader.ReadAsync(response.Content, MaximumTokenResponseBytes, timeout).ConfigureAwait(false);
                return ReadToken(body) is { } token
                    ? token
                    : TokenAnswer.Failed(IngestResult.TokenFailure(status, "the answer holds no usable access_token"));
            }

            var error = await ResponseReader.ReadAsync(response.Content, ResponseReader.MaximumBodyBytes, timeout).ConfigureAwait(false);
            var (oauthError, message) = ReadError(error);
            // Secrets out before anything is cut short, so that no part of one is left.
            return TokenAnswer.Failed(IngestResult.TokenFailure(status, message == null ? null : ResponseReader.Clean(redact(message)),
                oauthError == null ? null : ResponseReader.Clean(redact(oauthError)), ResponseReader.RetryAfter(response, _time)));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return TokenAnswer.Failed(IngestResult.TokenFailure(0, null, timedOut: true));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Network errors, and anything a user's handler throws: a failed token request, its text without secrets.
            return TokenAnswer.Failed(IngestResult.TokenFailure(0, ResponseReader.Clean(redact(HttpIngestClient.Flatten(ex)))));
        }
    }

    /// <summary>The token and its lifetime from a token response; null when there is no usable <c>access_token</c>.</summary>
    static TokenAnswer? ReadToken(ArraySegment<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.AsMemory());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("access_token", out var tokenElement) || tokenElement.ValueKind != JsonValueKind.String)
                return null;

            // It goes into a header: a token a header cannot carry would fail every request.
            var token = tokenElement.GetString()!;
            return token.Length == 0 || Credentials.HeaderProblem(token) != null ? null : TokenAnswer.Issued(token, ReadLifetime(root));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>expires_in</c> (a number, or a number in a string); Dynatrace's 300 seconds when it is missing; at most a day
    /// (identity providers other than Dynatrace SSO issue day-long tokens; a revoked one is replaced after a 401).
    /// </summary>
    static TimeSpan ReadLifetime(JsonElement root)
    {
        if (!root.TryGetProperty("expires_in", out var element))
            return TimeSpan.FromSeconds(300);
        double seconds;
        var valid = element.ValueKind == JsonValueKind.Number
            ? element.TryGetDouble(out seconds)
            : double.TryParse(element.ValueKind == JsonValueKind.String ? element.GetString() : null,
                System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out seconds);
        // A lifetime that cannot be read, or is not positive, is taken as none: the token serves this request only.
        return valid && seconds > 0 ? TimeSpan.FromSeconds(Math.Min(seconds, MaximumLifetime.TotalSeconds)) : TimeSpan.Zero;
    }

    /// <summary>
    /// OAuth's <c>error</c> and <c>error_description</c> (Dynatrace SSO adds <c>message</c>), or the raw text when the
    /// answer is not such an object.
    /// </summary>
    static (string? Error, string? Message) ReadError(ArraySegment<byte> body)
    {
        if (body.Count == 0)
            return (null, null);
        try
        {
            using var document = JsonDocument.Parse(body.AsMemory());
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var error = Text(root, "error");
                var description = Text(root, "error_description") ?? Text(root, "message");
                if (error != null || description != null)
                    return (error, error != null && description != null ? error + ": " + description : error ?? description);
            }
        }
        catch (JsonException)
        {
            // Not JSON (or cut at the size bound): the raw text is reported instead.
        }

        return (null, Encoding.UTF8.GetString(body.Array!, body.Offset, body.Count));
    }

    static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}

/// <summary>What a token request produced: a token and how long it is valid, or a failure for the policy.</summary>
internal sealed class TokenAnswer
{
    TokenAnswer(string? token, TimeSpan lifetime, IngestResult? failure)
    {
        Token = token;
        Lifetime = lifetime;
        Failure = failure;
    }

    public string? Token { get; }

    public TimeSpan Lifetime { get; }

    public IngestResult? Failure { get; }

    public static TokenAnswer Issued(string token, TimeSpan lifetime) => new(token, lifetime, null);

    public static TokenAnswer Failed(IngestResult failure) => new(null, TimeSpan.Zero, failure);

    public override string ToString() => Failure?.ToString() ?? "token (hidden), valid for " + Lifetime;
}
