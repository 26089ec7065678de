using System;
using System.Collections.Generic;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// Gathers the events one request could not deliver, whatever its bisection or cutting found, and reports them once
/// per reason when the request is resolved: one failure-listener call with all the events and one SelfLog line with the
/// count and a sample of Dynatrace's messages, however many parts the request was split into.
/// </summary>
internal sealed class DropCollector
{
    const int SampledDetails = 3;

    readonly List<Group> _groups = new();

    /// <param name="reason">Why the events were not delivered.</param>
    /// <param name="kind">Permanent, or Final during shutdown.</param>
    /// <param name="message">What happened, the same for every part of the request (e.g. "Dynatrace rejected ...").</param>
    /// <param name="detail">What differs between parts (Dynatrace's message for this part), sampled; may be null.</param>
    /// <param name="count">How many events (read back from disk, they have no <see cref="LogEvent"/>).</param>
    /// <param name="events">The events' <see cref="LogEvent"/>s, where they have them.</param>
    /// <param name="exception">The failure, for the listener (the first one of the group is kept).</param>
    /// <param name="formatted">The events' bytes as sent, same order, when the reporter keeps them.</param>
    public void Add(DropReason reason, LoggingFailureKind kind, string message, string? detail, int count, IEnumerable<LogEvent> events,
        Exception? exception = null, IEnumerable<byte[]>? formatted = null)
    {
        Group? group = null;
        foreach (var candidate in _groups)
        {
            if (candidate.Reason == reason && candidate.Kind == kind && candidate.Message == message)
                group = candidate;
        }

        if (group == null)
        {
            group = new Group(reason, kind, message, exception);
            _groups.Add(group);
        }

        var before = group.Count;
        group.Count += count;
        group.Events.AddRange(events);
        if (formatted != null)
        {
            // Keep the bytes aligned with the count even when earlier events of the group came without them.
            while (group.Formatted.Count < before)
                group.Formatted.Add(null);
            group.Formatted.AddRange(formatted);
        }
        if (detail != null && !group.Details.Contains(detail))
        {
            if (group.Details.Count < SampledDetails)
                group.Details.Add(detail);
            else
                group.MoreDetails = true;
        }
    }

    /// <summary>Reports what was gathered and starts over.</summary>
    public void ReportTo(FailureReporter reporter)
    {
        // Taken out first: whatever reporting does, nothing is reported twice.
        var groups = _groups.ToArray();
        _groups.Clear();
        foreach (var group in groups)
        {
            var message = group.Details.Count == 0
                ? group.Message
                : group.Message + ": " + string.Join(" | ", group.Details) + (group.MoreDetails ? " | …" : "");
            reporter.ReportDropped(group.Reason, group.Kind, message, group.Events, group.Exception,
                group.Formatted.Count == 0 ? null : group.Formatted, group.Count);
        }
    }

    sealed class Group
    {
        public Group(DropReason reason, LoggingFailureKind kind, string message, Exception? exception)
        {
            Reason = reason;
            Kind = kind;
            Message = message;
            Exception = exception;
        }

        public DropReason Reason { get; }
        public LoggingFailureKind Kind { get; }
        public string Message { get; }
        public Exception? Exception { get; }
        public int Count { get; set; }
        public List<LogEvent> Events { get; } = new();
        public List<string> Details { get; } = new();
        public List<byte[]?> Formatted { get; } = new();
        public bool MoreDetails { get; set; }
    }
}
