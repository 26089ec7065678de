namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>
/// How request bodies are encoded on the wire.
/// </summary>
public enum DynatraceSecurityCompression
{
    /// <summary>Uncompressed JSON: what Dynatrace documents for OpenPipeline ingest. The default.</summary>
    None = 0,

    /// <summary>
    /// Gzip-compressed JSON with <c>Content-Encoding: gzip</c>: several times fewer bytes on the wire, for some CPU
    /// time per request. Dynatrace does not document compressed OpenPipeline ingest, so the sink checks: a request refused
    /// with 415, or with 400 before any compressed request has been accepted, is sent again uncompressed, and if that
    /// is accepted, compression is turned off for the sink and a warning goes to <c>SelfLog</c>.
    /// </summary>
    Gzip = 1,
}
