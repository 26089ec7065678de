using System;
using System.Collections.Generic;
using System.Text.Encodings.Web;
using System.Text.Json;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Batched;

/// <summary>
/// Formats a batch of events into one or more request bodies, none larger than the current request size limit
/// (<see cref="RequestSizeLimit"/>). An event larger than the adapted limit but within <c>batchSizeLimitBytes</c> is
/// sent alone. An event that cannot be formatted, or that alone is larger than <c>batchSizeLimitBytes</c>, is
/// reported and left out; the rest of the batch goes on.
/// Not thread-safe: one instance per delivery loop, reusing its buffers.
/// </summary>
internal sealed class RequestBuilder : IDisposable
{
    static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text is sent as UTF-8 rather than \u escapes; the body is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    readonly SecurityEventFormatter _formatter;
    readonly FailureReporter _reporter;
    readonly RequestSizeLimit _sizeLimit;
    readonly PooledBufferWriter _eventBuffer = new();
    readonly Utf8JsonWriter _json;

    public RequestBuilder(SecurityEventFormatter formatter, FailureReporter reporter, RequestSizeLimit sizeLimit)
    {
        _formatter = formatter;
        _reporter = reporter;
        _sizeLimit = sizeLimit;
        _json = new Utf8JsonWriter(_eventBuffer, WriterOptions);
    }

    public List<PendingRequest> Build(IEnumerable<LogEvent> batch)
    {
        var requests = new List<PendingRequest>();
        PendingRequest? current = null;
        var limit = _sizeLimit.Current;

        foreach (var logEvent in batch)
        {
            if (!TryFormat(logEvent))
                continue;

            var length = _eventBuffer.WrittenCount;
            if (length + 2 > _sizeLimit.Configured)
            {
                _reporter.ReportDropped(DropReason.TooLarge, LoggingFailureKind.Permanent,
                    $"A security event of {length} bytes is larger than batchSizeLimitBytes ({_sizeLimit.Configured})",
                    new[] { logEvent });
                continue;
            }

            if (current != null && current.LengthWith(length) > limit)
            {
                requests.Add(current);
                current = null;
            }

            current ??= new PendingRequest(Math.Min(Math.Max(limit, length + 2), 64 * 1024));
            current.Add(logEvent, _eventBuffer.WrittenSpan);
        }

        if (current != null)
            requests.Add(current);

        return requests;
    }

    bool TryFormat(LogEvent logEvent)
    {
        _eventBuffer.Clear();
        _json.Reset(_eventBuffer);
        try
        {
            _formatter.Write(_json, logEvent, Guid.NewGuid());
            _json.Flush();
            return true;
        }
        catch (Exception ex)
        {
            // The exception says what broke, but never echo the payload itself.
            _reporter.ReportDropped(DropReason.Unformattable, LoggingFailureKind.Permanent,
                $"A security event could not be written as JSON ({ex.GetType().Name})", new[] { logEvent }, ex);
            return false;
        }
    }

    public void Dispose()
    {
        _json.Dispose();
        _eventBuffer.Dispose();
    }
}
