using System;
using System.Collections.Generic;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// What becomes of events a request did not deliver: reported (gathered per reason and reported once the batch is
/// resolved), written to the durable buffer, or, replaying, left on disk for later. Owned by one <see cref="RequestSender"/>.
/// </summary>
internal sealed class NotDelivered : IDisposable
{
    readonly FailureReporter _reporter;
    readonly SinkStatistics _statistics;
    readonly ShutdownSignal _shutdown;
    readonly EndpointState _endpoint;
    readonly BufferDirectory? _spillTo;
    readonly bool _replaying;
    readonly FailureText _text;
    readonly DropCollector _drops = new();
    readonly List<int> _tooOld = new();
    readonly PooledBufferWriter _body = new();

    public NotDelivered(FailureReporter reporter, SinkStatistics statistics, ShutdownSignal shutdown, EndpointState endpoint,
        BufferDirectory? spillTo, bool replaying, FailureText text)
    {
        _reporter = reporter;
        _statistics = statistics;
        _shutdown = shutdown;
        _endpoint = endpoint;
        _spillTo = spillTo;
        _replaying = replaying;
        _text = text;
    }

    /// <summary>True when failed requests go to the durable buffer rather than being retried in memory.</summary>
    public bool Spills => _spillTo != null;

    /// <summary>Gathers <paramref name="events"/> to be reported as not delivered, for <paramref name="reason"/>.</summary>
    public void Drop(BatchSend send, EventSet events, DropReason reason, LoggingFailureKind kind, string message, string? detail = null,
        Exception? exception = null)
    {
        var batch = send.Batch;
        batch.MarkResolved(events);
        _drops.Add(reason, kind, message, detail, events.Count, batch.EventsOf(events), exception,
            _reporter.KeepsFormattedEvents || _replaying ? batch.FormattedOf(events) : null);
    }

    /// <summary>Reports what was gathered (once per reason), when a batch or one of its requests is resolved.</summary>
    public void Report() => _drops.ReportTo(_reporter);

    /// <summary>What a request left when the logger stopped sending: on disk (or left there), else reported.</summary>
    public void AtShutdown(BatchSend send, EventSet events)
    {
        if (_replaying)
            send.Defer(_shutdown.StopReason);
        else if (Spills)
            Spill(send, events, "the logger was disposed: " + _shutdown.StopReason);
        else
            Drop(send, events, DropReason.Shutdown, LoggingFailureKind.Final, $"Not sent to {_text.Route}: {_shutdown.StopReason}");
    }

    /// <summary>Writes the request's events to the durable buffer; reports them when that cannot be done.</summary>
    public void Spill(BatchSend send, EventSet events, string why)
    {
        var problem = _spillTo!.TryWrite(send.Batch, events, _body);
        if (problem == null)
        {
            send.Batch.MarkResolved(events);
            _statistics.AddPersisted(events.Count);
            if (_endpoint.MarkDown())
                _reporter.Warn($"Security events wait in the durable buffer until {_text.Route} accepts again: {why}");
            _endpoint.NotifySpilled();
            return;
        }

        Drop(send, events, problem.StartsWith("the durable buffer is full", StringComparison.Ordinal) ? DropReason.BufferFull : DropReason.BufferFailed,
            _shutdown.IsShuttingDown ? LoggingFailureKind.Final : LoggingFailureKind.Permanent,
            $"Not kept in the durable buffer ({why})", problem);
    }

    /// <summary>Leaves out (and gathers for reporting) events Dynatrace would drop silently after accepting them.</summary>
    public EventSet WithoutTooOld(BatchSend send, EventSet events, DateTimeOffset now)
    {
        var batch = send.Batch;
        var kept = batch.NotOlderThan(events, now - DeliveryOptions.MaximumEventAge, _tooOld);
        if (_tooOld.Count > 0)
        {
            var tooOld = EventSet.Of(_tooOld);
            _drops.Add(DropReason.TooOld, LoggingFailureKind.Permanent,
                $"Not sent: older than {DeliveryOptions.MaximumEventAge.TotalHours:0} hours (Dynatrace drops records older than 24 hours after accepting them)",
                null, tooOld.Count, batch.EventsOf(tooOld), null, _reporter.KeepsFormattedEvents || _replaying ? batch.FormattedOf(tooOld) : null);
            _tooOld.Clear();
        }

        return kept;
    }

    /// <summary>
    /// A bug of ours while sending: live, whatever was neither delivered nor reported yet is reported now, once;
    /// replaying, the events are still on disk, so the file waits for a later try.
    /// </summary>
    public void AfterBug(BatchSend send, Exception ex)
    {
        Report();
        if (_replaying)
        {
            send.Defer("an unexpected error in the sink");
            _reporter.Warn("An unexpected error in the sink while replaying the durable buffer; the file is kept for a later try: " + ex);
            return;
        }

        var unresolved = send.Batch.Unresolved();
        if (unresolved.Count > 0)
            _reporter.ReportDropped(DropReason.Internal, LoggingFailureKind.Permanent, "An unexpected error in the sink", unresolved, ex);
        else
            _reporter.Warn("An unexpected error in the sink: " + ex);
    }

    public void Dispose() => _body.Dispose();
}
