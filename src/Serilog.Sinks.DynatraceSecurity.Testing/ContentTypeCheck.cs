using System;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Requires <c>Content-Type: application/json</c> (parameters such as <c>charset</c> allowed) and no
/// <c>Content-Encoding</c> other than <c>identity</c> (compressed ingest is unconfirmed for OpenPipeline), except
/// <c>gzip</c> when the receiver accepts it. A violation is answered 400 (not 415) with a message.
/// </summary>
internal static class ContentTypeCheck
{
    /// <summary>Null when acceptable, otherwise a message for the 400 answer.</summary>
    public static string? Validate(HttpRequest request, bool acceptGzip)
    {
        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return "Missing Content-Type header; expected application/json.";
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            || !parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return $"Unsupported Content-Type '{contentType}'; expected application/json.";
        }

        if (acceptGzip && IngestRequestHandler.IsGzip(request))
        {
            return null;
        }

        var encodings = request.Headers.ContentEncoding;
        foreach (var encoding in encodings)
        {
            if (!string.IsNullOrWhiteSpace(encoding) && !encoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                return $"Unsupported Content-Encoding '{encoding}'; the local receiver accepts uncompressed JSON only.";
            }
        }

        return null;
    }
}
