using System;
using System.Collections.Generic;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// Formats a batch of events, each made to fit by <see cref="EventSerializer"/>, into a <see cref="FormattedBatch"/>
/// that requests are cut from. An event that cannot be formatted, or that does not fit <c>eventBodyLimitBytes</c> even
/// with its text values cut, is reported and left out; the rest of the batch goes on.
/// Not thread-safe: one instance per delivery loop, reusing its buffers.
/// </summary>
internal sealed class RequestBuilder : IDisposable
{
    readonly EventSerializer _serializer;
    readonly FailureReporter _reporter;

    public RequestBuilder(SecurityEventFormatter formatter, FailureReporter reporter, int eventLimit)
    {
        _serializer = new EventSerializer(formatter, eventLimit);
        _reporter = reporter;
    }

    /// <summary>Formats <paramref name="events"/> into <paramref name="batch"/> (cleared first).</summary>
    public void Build(IEnumerable<LogEvent> events, FormattedBatch batch)
    {
        batch.Clear();
        foreach (var logEvent in events)
        {
            var serialized = _serializer.Serialize(logEvent);
            if (serialized.Written)
                batch.Add(logEvent, serialized.Bytes);
            else
                ReportUnwritten(logEvent, serialized);
        }
    }

    void ReportUnwritten(LogEvent logEvent, SerializedEvent serialized)
    {
        if (serialized.Outcome == SerializeOutcome.TooLarge)
        {
            _reporter.ReportDropped(DropReason.TooLarge, LoggingFailureKind.Permanent,
                $"A security event of {serialized.UntruncatedLength} bytes does not fit eventBodyLimitBytes ({_serializer.EventBodyLimitBytes}) even with its text values cut",
                new[] { logEvent });
            return;
        }

        // The exception says what broke, but never echo the payload itself.
        var failure = serialized.Failure!;
        _reporter.ReportDropped(DropReason.Unformattable, LoggingFailureKind.Permanent,
            $"A security event could not be written as JSON ({failure.GetType().Name})", new[] { logEvent }, failure);
    }

    public void Dispose() => _serializer.Dispose();
}
