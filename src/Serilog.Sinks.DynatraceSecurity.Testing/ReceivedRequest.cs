using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using Microsoft.AspNetCore.Http;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// One HTTP request the <see cref="DynatraceIngestReceiver"/> received, accepted or not, with the status it answered.
/// </summary>
public sealed class ReceivedRequest
{
    internal ReceivedRequest(
        long sequence,
        DateTimeOffset receivedAt,
        HttpRequest request,
        string path,
        DynatraceIngestRouteKind? route,
        string? endpoint,
        byte[] body,
        int statusCode)
    {
        Sequence = sequence;
        ReceivedAt = receivedAt;
        Method = request.Method;
        Path = path;
        QueryString = request.QueryString.Value ?? string.Empty;
        Route = route;
        Endpoint = endpoint;
        Headers = CopyHeaders(request.Headers);
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0)
        {
            var value = authorization[0] ?? string.Empty;
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            AuthorizationScheme = space < 0 ? string.Empty : value.Substring(0, space);
        }

        Body = body;
        StatusCode = statusCode;
    }

    /// <summary>Arrival order, used to keep <see cref="DynatraceIngestReceiver.Requests"/> in arrival order.</summary>
    internal long Sequence { get; }

    /// <summary>When the request arrived (UTC).</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The HTTP method, for example <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>The request path as received (percent-decoded by the server), without the query string.</summary>
    public string Path { get; }

    /// <summary>The raw query string including the leading <c>?</c>, or an empty string when there is none.</summary>
    public string QueryString { get; }

    /// <summary>The ingest route the path matched, or null when it matched none (answered 404).</summary>
    public DynatraceIngestRouteKind? Route { get; }

    /// <summary>The custom endpoint name taken from the path (as sent, not validated), or null for built-in routes and unmatched paths.</summary>
    public string? Endpoint { get; }

    /// <summary>
    /// The request headers with case-insensitive names; repeated values are joined with <c>", "</c>.
    /// This includes the <c>Authorization</c> header, so that tests can check what was sent.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>
    /// The scheme of the <c>Authorization</c> header as sent (for example <c>Api-Token</c> or <c>Bearer</c>): the text
    /// before the first space. Null when the header is absent; empty when it has no space (a bare value is never copied
    /// here, since it may be a token).
    /// </summary>
    public string? AuthorizationScheme { get; }

    /// <summary>
    /// The request body as received, decoded when it came gzip-compressed and
    /// <see cref="DynatraceIngestReceiverOptions.AcceptGzip"/> is on (its <c>Content-Length</c> header says how large
    /// it was on the wire). Empty when it came gzip-compressed and could not be decoded, when the body was larger than
    /// <see cref="DynatraceIngestReceiverOptions.MaxRequestBytes"/>, or when the request was aborted while it was read.
    /// </summary>
    public byte[] Body { get; }

    /// <summary>The HTTP status code the receiver answered, or 0 when the connection was dropped or aborted without an answer.</summary>
    public int StatusCode { get; }

    /// <summary>A case-insensitive copy of the headers, repeated values joined with <c>", "</c>, as both records keep them.</summary>
    internal static IReadOnlyDictionary<string, string> CopyHeaders(IHeaderDictionary headers) =>
        new ReadOnlyDictionary<string, string>(headers.ToDictionary(
            header => header.Key, header => string.Join(", ", header.Value.ToArray()), StringComparer.OrdinalIgnoreCase));

    /// <summary>Method, path, status and body length. Never includes headers, the query string or tokens.</summary>
    /// <returns>A short description such as <c>POST /platform/ingest/v1/security.events -&gt; 202 (123 bytes)</c>.</returns>
    public override string ToString()
        => string.Create(
            CultureInfo.InvariantCulture,
            $"{Method} {Path} -> {(StatusCode == 0 ? "dropped" : StatusCode.ToString(CultureInfo.InvariantCulture))} ({Body.Length} bytes)");
}
