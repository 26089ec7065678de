using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;

/// <summary>
/// Reports every rejection of the rate-limiting middleware as <c>excess_rate_limit_exceeded</c>, whichever
/// <c>OnRejected</c> runs (a policy's own replaces the global one, and the options' policy map is internal): it listens
/// to the middleware's <c>aspnetcore.rate_limiting.requests</c> counter (ASP.NET Core 8 and later), which the middleware
/// adds to on the request's own flow, before <c>OnRejected</c>, with the result <c>global_limiter</c> or
/// <c>endpoint_limiter</c> for a rejection. Only the counter of this app's <see cref="IMeterFactory"/> is read, so that
/// several apps in one process (tests) never see each other's requests.
/// </summary>
internal sealed class RateLimitRejections(IMeterFactory meters, IHttpContextAccessor requests, SecurityEventWriter writer) : IDisposable
{
    const string MeterName = "Microsoft.AspNetCore.RateLimiting";
    const string CounterName = "aspnetcore.rate_limiting.requests";
    const string ResultTag = "aspnetcore.rate_limiting.result";
    const string PolicyTag = "aspnetcore.rate_limiting.policy";

    readonly MeterListener _listener = new();

    /// <summary>Starts listening; before the server takes requests.</summary>
    public void Start()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == MeterName && instrument.Name == CounterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnRequestCounted);
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    void OnRequestCounted(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? result = null;
        string? policy = null;
        foreach (var tag in tags)
        {
            if (tag.Key == ResultTag)
                result = tag.Value as string;
            else if (tag.Key == PolicyTag)
                policy = tag.Value as string;
        }

        // "acquired" and "request_canceled" are not rejections.
        if (result is not ("global_limiter" or "endpoint_limiter"))
            return;

        if (requests.HttpContext is { } http)
            writer.RateLimited(http, result, policy);
    }
}
