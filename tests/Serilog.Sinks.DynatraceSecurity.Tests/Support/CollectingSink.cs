using System.Collections.Generic;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

sealed class CollectingSink : ILogEventSink
{
    readonly List<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events
    {
        get { lock (_events) return _events.ToArray(); }
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_events) _events.Add(logEvent);
    }
}
