namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>The counters a test can wait on.</summary>
internal enum RecordedCount
{
    /// <summary>Requests that have arrived, whether or not they have been answered yet.</summary>
    Arrivals,

    /// <summary>Requests that have been answered (or dropped) and recorded.</summary>
    Requests,

    /// <summary>Events recorded from accepted requests.</summary>
    Events,
}
