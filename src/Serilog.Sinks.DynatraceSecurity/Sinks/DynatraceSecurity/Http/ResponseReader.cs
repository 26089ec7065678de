using System;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// What an answer says, read the same way for ingest and token requests: where it redirects to, how long it asks to
/// wait, and Dynatrace's message, read from at most a few KB of the body (the <c>{"error":{"code":..,"message":".."}}</c>
/// envelope, else the raw text; every field optional).
/// </summary>
internal static class ResponseReader
{
    public const int MaximumBodyBytes = 4096;
    public const int MaximumMessageLength = 512;

    /// <summary>Dynatrace's message, or the raw text; <paramref name="redact"/> removes secrets before it is cut short.</summary>
    public static async Task<string?> ReadMessageAsync(HttpContent? content, Func<string, string> redact, CancellationToken cancellationToken)
    {
        var body = await ReadAsync(content, MaximumBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body.Count == 0)
            return null;

        var message = TryReadEnvelopeMessage(body.AsSpan()) ?? Encoding.UTF8.GetString(body.Array!, body.Offset, body.Count);
        return Clean(redact(message));
    }

    /// <summary>At most <paramref name="maximumBytes"/> of a response body: what a peer sends is never read unbounded.</summary>
    public static async Task<ArraySegment<byte>> ReadAsync(HttpContent? content, int maximumBytes, CancellationToken cancellationToken)
    {
        if (content == null)
            return new ArraySegment<byte>(Array.Empty<byte>());

        var buffer = new byte[maximumBytes];
        var length = 0;
        using (var stream = await content.ReadAsStreamAsync().ConfigureAwait(false))
        {
            int read;
            while (length < buffer.Length &&
                   (read = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }

        return new ArraySegment<byte>(buffer, 0, length);
    }

    static string? TryReadEnvelopeMessage(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            var depth = 0;
            var inError = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        depth++;
                        break;
                    case JsonTokenType.EndObject:
                        depth--;
                        if (depth < 2) inError = false;
                        break;
                    case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("error"):
                        inError = true;
                        break;
                    case JsonTokenType.PropertyName when depth == 2 && inError && reader.ValueTextEquals("message"):
                        if (reader.Read() && reader.TokenType == JsonTokenType.String)
                            return reader.GetString();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not an envelope (or cut at the size bound): the raw text is used instead.
        }

        return null;
    }

    /// <summary>Bounds the length and removes control characters so one message stays one line.</summary>
    public static string Clean(string message)
    {
        var builder = new StringBuilder(Math.Min(message.Length, MaximumMessageLength + 1));
        foreach (var c in message)
        {
            if (builder.Length == MaximumMessageLength)
            {
                builder.Append('…');
                break;
            }

            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return builder.ToString().Trim();
    }

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
