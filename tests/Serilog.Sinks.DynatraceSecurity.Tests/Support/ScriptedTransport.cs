using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Http;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>A transport that answers from a script (202 when the script is empty) and records each call and its time.</summary>
sealed class ScriptedTransport : IIngestClient
{
    readonly TimeProvider _clock;
    readonly ConcurrentQueue<IngestResult> _results = new();
    readonly ConcurrentQueue<(DateTimeOffset At, byte[] Body)> _calls = new();
    volatile TaskCompletionSource<bool>? _held;

    public ScriptedTransport(TimeProvider clock) => _clock = clock;

    public IReadOnlyList<(DateTimeOffset At, byte[] Body)> Calls => _calls.ToArray();

    public void Script(params int[] statuses)
    {
        foreach (var status in statuses)
            _results.Enqueue(IngestResult.Answered(status));
    }

    public void Script(IEnumerable<IngestResult> results)
    {
        foreach (var result in results)
            _results.Enqueue(result);
    }

    /// <summary>Leaves every call unanswered until <see cref="Release"/>, as a hanging endpoint would.</summary>
    public void Hold() => _held = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _held?.TrySetResult(true);

    public Task<IngestResult> PostAsync(ArraySegment<byte> body, bool gzip, CancellationToken timeout)
    {
        _calls.Enqueue((_clock.GetUtcNow(), body.ToArray()));
        var result = _results.TryDequeue(out var scripted) ? scripted : IngestResult.Accepted;
        var held = _held;
        return held == null ? Task.FromResult(result) : held.Task.ContinueWith(_ => result, TaskScheduler.Default);
    }

    public void Dispose()
    {
    }
}
