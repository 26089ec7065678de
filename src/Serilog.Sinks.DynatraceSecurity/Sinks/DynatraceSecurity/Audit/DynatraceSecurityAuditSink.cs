using System;
using System.Threading;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Health;
using Serilog.Sinks.DynatraceSecurity.Http;

namespace Serilog.Sinks.DynatraceSecurity.Audit;

/// <summary>
/// What <c>AuditTo.DynatraceSecurity(...)</c> adds: each security event is posted on its own, on the logging thread,
/// and <see cref="Emit"/> returns only once Dynatrace accepted it (2xx). Anything else throws a
/// <see cref="DynatraceSecurityAuditException"/>, which Serilog passes on to the caller for audit sinks. No queue, no
/// batching and no retries: the caller decides what to do with an event that was not accepted. Events are made to fit
/// <c>eventBodyLimitBytes</c> and given their <c>event.id</c> by the same <see cref="EventSerializer"/> as in batched
/// delivery.
/// </summary>
internal sealed class DynatraceSecurityAuditSink : ILogEventSink, IDisposable
{
    const string Disposed = "The security event was not sent to Dynatrace: the logger has been disposed.";

    readonly SecurityMarker _marker;
    readonly HttpIngestClient _client;
    readonly TimeSpan _requestTimeout;
    readonly FailureText _text;
    readonly string _description;
    readonly SinkHealth _health;

    // The serializer (its buffer and its id generator) is not thread-safe; formatting is short, so concurrent callers
    // take turns for it and send their requests in parallel.
    readonly object _formatGate = new();
    readonly EventSerializer _serializer;
    bool _disposed;

    public DynatraceSecurityAuditSink(SinkSettings settings)
    {
        _marker = new SecurityMarker(settings.MarkerProperty, settings.DefaultEventType);
        _serializer = new EventSerializer(new SecurityEventFormatter(settings, _marker), settings.EventBodyLimitBytes);
        _client = new HttpIngestClient(settings, TimeProvider.System);
        _requestTimeout = settings.RequestTimeout;
        _text = new FailureText(settings);
        _description = "DynatraceSecurityAudit(" + settings.Target.GetLeftPart(UriPartial.Path) + ")";
        _health = new SinkHealth(settings.Target, TimeProvider.System);
        _health.Join();
    }

    public void Emit(LogEvent logEvent)
    {
        if (logEvent == null || !_marker.IsMarked(logEvent))
            return;

        var body = Format(logEvent);

        IngestResult result;
        try
        {
            // The client awaits with ConfigureAwait(false) throughout, so blocking here cannot deadlock on a
            // synchronization context. A token request, and the one resend with a new token after a 401 (the client's,
            // as in batched delivery), count against the same requestTimeout.
            using var timeout = new CancellationTokenSource(_requestTimeout);
            result = _client.PostAsync(new ArraySegment<byte>(body), gzip: false, timeout.Token).GetAwaiter().GetResult();
        }
        catch (ObjectDisposedException)
        {
            throw new DynatraceSecurityAuditException(Disposed, 0);
        }

        var failureClass = DeliveryPolicy.ClassOf(result);
        _health.Record(result, failureClass, _text);
        if (result.IsSuccess)
            return;

        // Secrets removed, and never the request body.
        throw new DynatraceSecurityAuditException("Dynatrace did not accept the security event (audit): " + _text.Describe(result) +
            _text.Hint(failureClass, result), result.StatusCode, _text.ToException(result));
    }

    /// <summary>The request body: a JSON array holding the event.</summary>
    byte[] Format(LogEvent logEvent)
    {
        lock (_formatGate)
        {
            if (_disposed)
                throw new DynatraceSecurityAuditException(Disposed, 0);

            var json = _serializer.Serialize(logEvent, out var untruncatedLength, out var failure);
            if (json.IsEmpty && failure == null)
                throw new DynatraceSecurityAuditException(
                    $"The security event of {untruncatedLength} bytes does not fit eventBodyLimitBytes ({_serializer.EventBodyLimitBytes}) " +
                    "even with its text values cut; it was not sent to Dynatrace.", 0);
            if (failure != null)
                // Only the exception's type: its message may quote the event's values.
                throw new DynatraceSecurityAuditException(
                    $"The security event could not be written as JSON ({failure.GetType().Name}); it was not sent to Dynatrace.", 0);

            var body = new byte[json.Length + 2];
            body[0] = (byte)'[';
            json.CopyTo(body.AsSpan(1));
            body[body.Length - 1] = (byte)']';
            return body;
        }
    }

    public void Dispose()
    {
        lock (_formatGate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _serializer.Dispose();
        }

        _client.Dispose();
        _health.Leave();
    }

    public override string ToString() => _description;
}
