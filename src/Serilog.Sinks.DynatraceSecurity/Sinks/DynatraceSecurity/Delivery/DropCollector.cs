using System;
using System.Collections.Generic;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// Gathers the events one request could not deliver, whatever its bisection or cutting found, and reports them once
/// per reason when the request is resolved: one failure-listener call with all the events and one SelfLog line with the
/// count and a sample of the messages, however many parts the request was split into.
/// </summary>
internal sealed class DropCollector
{
    const int SampledMessages = 3;

    readonly List<Group> _groups = new();

    public bool IsEmpty => _groups.Count == 0;

    public void Add(DropReason reason, LoggingFailureKind kind, string message, IEnumerable<LogEvent> events, Exception? exception = null)
    {
        Group? group = null;
        foreach (var candidate in _groups)
        {
            if (candidate.Reason == reason && candidate.Kind == kind)
                group = candidate;
        }

        if (group == null)
        {
            group = new Group(reason, kind, exception);
            _groups.Add(group);
        }

        group.Events.AddRange(events);
        if (group.Messages.Count < SampledMessages && !group.Messages.Contains(message))
            group.Messages.Add(message);
        else if (!group.Messages.Contains(message))
            group.MoreMessages = true;
    }

    /// <summary>Reports what was gathered and starts over.</summary>
    public void ReportTo(FailureReporter reporter)
    {
        foreach (var group in _groups)
        {
            var message = string.Join("; ", group.Messages) + (group.MoreMessages ? "; and other messages" : "");
            reporter.ReportDropped(group.Reason, group.Kind, message, group.Events, group.Exception);
        }

        _groups.Clear();
    }

    sealed class Group
    {
        public Group(DropReason reason, LoggingFailureKind kind, Exception? exception)
        {
            Reason = reason;
            Kind = kind;
            Exception = exception;
        }

        public DropReason Reason { get; }
        public LoggingFailureKind Kind { get; }
        public Exception? Exception { get; }
        public List<LogEvent> Events { get; } = new();
        public List<string> Messages { get; } = new();
        public bool MoreMessages { get; set; }
    }
}
