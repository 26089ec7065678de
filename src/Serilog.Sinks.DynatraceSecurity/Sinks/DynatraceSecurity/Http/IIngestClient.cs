using System;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>Posts one request body (a JSON array of events) to the ingest endpoint.</summary>
internal interface IIngestClient : IDisposable
{
    /// <summary>Never throws for HTTP, network or timeout failures: they are returned as results.</summary>
    Task<IngestResult> PostAsync(ArraySegment<byte> body);
}
