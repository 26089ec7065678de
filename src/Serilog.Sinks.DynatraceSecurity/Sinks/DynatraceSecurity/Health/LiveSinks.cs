using System;
using System.Collections.Generic;

namespace Serilog.Sinks.DynatraceSecurity.Health;

/// <summary>
/// Every sink alive in the process, however it was created (none is in a DI container): each joins when it is built
/// and leaves when its disposal has finished. Held weakly, so that a logger dropped without disposal is not kept alive
/// by it. A health check reads it each time it runs, so a sink built later shows in the next check.
/// </summary>
internal static class LiveSinks
{
    static readonly object Gate = new();
    static readonly List<WeakReference<SinkHealth>> Sinks = new();

    public static void Join(SinkHealth sink)
    {
        lock (Gate)
        {
            Sinks.RemoveAll(entry => !entry.TryGetTarget(out _));
            Sinks.Add(new WeakReference<SinkHealth>(sink));
        }
    }

    public static void Leave(SinkHealth sink)
    {
        lock (Gate)
            Sinks.RemoveAll(entry => !entry.TryGetTarget(out var live) || ReferenceEquals(live, sink));
    }

    /// <summary>The sinks alive now, in the order they were built.</summary>
    public static List<SinkHealth> Current()
    {
        var current = new List<SinkHealth>();
        lock (Gate)
        {
            foreach (var entry in Sinks)
            {
                if (entry.TryGetTarget(out var sink))
                    current.Add(sink);
            }
        }

        return current;
    }
}
