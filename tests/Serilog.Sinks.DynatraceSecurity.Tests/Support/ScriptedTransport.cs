using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>
/// An endpoint behind the sink's own HTTP client (set as <c>MessageHandler</c>) that answers at once from a script: ingest
/// requests with the scripted answers (202 when the script is empty), recording each one and its time on the clock; token
/// requests (an OAuth client's form posts) with the scripted token answers, or a token valid for five minutes.
/// </summary>
sealed class ScriptedTransport : HttpMessageHandler
{
    readonly TimeProvider _clock;
    readonly ConcurrentQueue<Func<HttpResponseMessage>> _answers = new();
    readonly ConcurrentQueue<Func<HttpResponseMessage>> _tokenAnswers = new();
    readonly ConcurrentQueue<(DateTimeOffset At, byte[] Body)> _calls = new();
    volatile TaskCompletionSource<bool>? _held;

    public ScriptedTransport(TimeProvider clock) => _clock = clock;

    /// <summary>The ingest requests, not the token requests.</summary>
    public IReadOnlyList<(DateTimeOffset At, byte[] Body)> Calls => _calls.ToArray();

    public void Script(params int[] statuses)
    {
        foreach (var status in statuses)
            _answers.Enqueue(() => new HttpResponseMessage((HttpStatusCode)status));
    }

    /// <summary>An answer that asks the client to wait <paramref name="retryAfter"/>.</summary>
    public void Script(int status, TimeSpan retryAfter) =>
        _answers.Enqueue(() => new HttpResponseMessage((HttpStatusCode)status) { Headers = { RetryAfter = new RetryConditionHeaderValue(retryAfter) } });

    /// <summary>Token answers: a status and, for an error, OAuth's <c>error</c> and <c>error_description</c>.</summary>
    public void ScriptToken(int status, string? error = null, string? description = null) =>
        _tokenAnswers.Enqueue(() => error == null
            ? new HttpResponseMessage((HttpStatusCode)status)
            : Json(status, $"{{\"error\":\"{error}\",\"error_description\":\"{description}\"}}"));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is FormUrlEncodedContent)
        {
            return Task.FromResult(_tokenAnswers.TryDequeue(out var token)
                ? token()
                : Json(200, "{\"access_token\":\"scripted-token\",\"token_type\":\"Bearer\",\"expires_in\":300}"));
        }

        // The sink's bodies are byte arrays: read at once, so that the answer comes on the caller's clock tick.
        _calls.Enqueue((_clock.GetUtcNow(), request.Content!.ReadAsByteArrayAsync(cancellationToken).GetAwaiter().GetResult()));
        var response = _answers.TryDequeue(out var answer) ? answer() : new HttpResponseMessage(HttpStatusCode.Accepted);
        var held = _held;
        return held == null ? Task.FromResult(response) : held.Task.ContinueWith(_ => response, TaskScheduler.Default);
    }

    /// <summary>Leaves every ingest request unanswered until <see cref="Release"/>, as a hanging endpoint would.</summary>
    public void Hold() => _held = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _held?.TrySetResult(true);

    static HttpResponseMessage Json(int status, string json) =>
        new((HttpStatusCode)status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
