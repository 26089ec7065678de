using System;
using System.Collections.Generic;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// Packs a batch of events, each made to fit by <see cref="EventSerializer"/>, into one or more request bodies, none
/// larger than the current request size limit (<see cref="RequestSizeLimit"/>). An event larger than the adapted limit
/// but within <c>batchSizeLimitBytes</c> is sent alone. An event that cannot be formatted, or that does not fit
/// <c>eventBodyLimitBytes</c> even cut, is reported and left out; the rest of the batch goes on.
/// Not thread-safe: one instance per delivery loop, reusing its buffers.
/// </summary>
internal sealed class RequestBuilder : IDisposable
{
    readonly EventSerializer _serializer;
    readonly FailureReporter _reporter;
    readonly RequestSizeLimit _sizeLimit;

    public RequestBuilder(SecurityEventFormatter formatter, FailureReporter reporter, RequestSizeLimit sizeLimit, int eventLimit)
    {
        _serializer = new EventSerializer(formatter, eventLimit);
        _reporter = reporter;
        _sizeLimit = sizeLimit;
    }

    public List<PendingRequest> Build(IEnumerable<LogEvent> batch)
    {
        var requests = new List<PendingRequest>();
        PendingRequest? current = null;
        var limit = _sizeLimit.Current;

        foreach (var logEvent in batch)
        {
            var serialized = _serializer.Serialize(logEvent);
            if (!serialized.Written)
            {
                ReportUnwritten(logEvent, serialized);
                continue;
            }

            var length = serialized.Bytes.Length;
            if (current != null && current.LengthWith(length) > limit)
            {
                requests.Add(current);
                current = null;
            }

            current ??= new PendingRequest(Math.Min(Math.Max(limit, length + 2), 64 * 1024));
            current.Add(logEvent, serialized.Bytes);
        }

        if (current != null)
            requests.Add(current);

        return requests;
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
