using System;
using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>
/// Posts one request body (a JSON array of events) to the ingest endpoint, with the credential it needs (fetching an OAuth
/// token first when one is due): a transport, no policy.
/// </summary>
internal interface IIngestClient : IDisposable
{
    /// <summary>
    /// Sends <paramref name="body"/> (already gzip-compressed when <paramref name="gzip"/> is true). Never throws for
    /// HTTP, network or timeout failures: they are returned as results. Cancelling <paramref name="timeout"/> ends the
    /// request with <see cref="IngestResult.Timeout"/>. A token request needed first counts against the same timeout;
    /// when it fails, nothing is posted and the result describes it (<see cref="IngestResult.FromTokenEndpoint"/>). A 401
    /// to a request with an OAuth token gets the request sent again at once with a new token, once
    /// (<see cref="IngestResult.Reauthenticated"/>).
    /// </summary>
    Task<IngestResult> PostAsync(ArraySegment<byte> body, bool gzip, CancellationToken timeout);
}
