using System;
using System.Net.Http;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>What the headers of an answer say about redirects and waiting, for ingest and token requests alike.</summary>
internal static class ResponseHeaders
{
    /// <summary>
    /// The host a 3xx answer points to, or the host a handler that could not be stopped followed a redirect to; null
    /// when the response came from the host of <paramref name="requested"/>.
    /// </summary>
    public static string? RedirectHost(HttpResponseMessage response, int status, Uri requested)
    {
        if (status is >= 300 and < 400)
        {
            var location = response.Headers.Location;
            if (location == null)
                return "(no Location header)";
            return (location.IsAbsoluteUri ? location : new Uri(requested, location)).Authority;
        }

        // Only the host matters: a handler may rewrite the path or add a query, but not send the request elsewhere.
        var answeredBy = response.RequestMessage?.RequestUri;
        return answeredBy != null &&
               (answeredBy.Scheme != requested.Scheme || !string.Equals(answeredBy.Authority, requested.Authority, StringComparison.OrdinalIgnoreCase))
            ? answeredBy.Authority
            : null;
    }

    /// <summary>How long the answer asks the client to wait (<c>Retry-After</c>, seconds or an HTTP date), if it does.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
