using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks;

/// <summary>
/// The baseline: Serilog's own batching engine in front of a sink that does nothing with the batch but count it.
/// What any batched HTTP sink costs beyond this is its formatting and sending.
/// </summary>
sealed class NoopBatchedSink : IBatchedLogEventSink
{
    long _received;

    public long Received => Interlocked.Read(ref _received);

    public Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        Interlocked.Add(ref _received, batch.Count);
        return Task.CompletedTask;
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;
}

/// <summary>Answers every request with one status at once, without a network (for the logging-call benchmarks).</summary>
sealed class StatusHandler : HttpMessageHandler
{
    readonly HttpStatusCode _status;
    long _requests;

    public StatusHandler(HttpStatusCode status) => _status = status;

    public long Requests => Interlocked.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        return Task.FromResult(new HttpResponseMessage(_status) { RequestMessage = request });
    }
}
