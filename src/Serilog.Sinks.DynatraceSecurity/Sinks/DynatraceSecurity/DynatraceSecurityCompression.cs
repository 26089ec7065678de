namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>How request bodies are encoded on the wire.</summary>
public enum DynatraceSecurityCompression
{
    /// <summary>Uncompressed JSON: what Dynatrace documents for OpenPipeline ingest. The default.</summary>
    None = 0,

    /// <summary>
    /// Gzip-compressed JSON (<c>Content-Encoding: gzip</c>). Dynatrace does not document it: when the endpoint refuses it,
    /// the sink sends uncompressed and says so in <c>SelfLog</c> (see docs/delivery.md).
    /// </summary>
    Gzip = 1,
}
