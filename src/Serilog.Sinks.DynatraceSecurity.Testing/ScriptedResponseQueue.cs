using System.Collections.Concurrent;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>Thread-safe FIFO of scripted responses.</summary>
internal sealed class ScriptedResponseQueue
{
    readonly ConcurrentQueue<ScriptedResponse> _queue = new();

    public int Count => _queue.Count;

    public void Enqueue(ScriptedResponse response) => _queue.Enqueue(response);

    public ScriptedResponse? TryDequeue() => _queue.TryDequeue(out var response) ? response : null;

    public void Clear() => _queue.Clear();
}
