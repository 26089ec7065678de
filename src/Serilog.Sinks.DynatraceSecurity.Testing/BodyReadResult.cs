using System;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>What <see cref="RequestBodyReader"/> got: the body, or the fact that it was too large or malformed.</summary>
internal sealed class BodyReadResult
{
    BodyReadResult(byte[] bytes, bool tooLarge, string? malformed)
    {
        Bytes = bytes;
        TooLarge = tooLarge;
        Malformed = malformed;
    }

    /// <summary>The body; empty when <see cref="TooLarge"/> or <see cref="Malformed"/>.</summary>
    public byte[] Bytes { get; }

    /// <summary>The body exceeded the limit (by declared Content-Length or while reading).</summary>
    public bool TooLarge { get; }

    /// <summary>A message when the server could not read the body (bad framing), otherwise null.</summary>
    public string? Malformed { get; }

    public static BodyReadResult Read(byte[] bytes) => new(bytes, false, null);

    public static BodyReadResult OverLimit() => new(Array.Empty<byte>(), true, null);

    public static BodyReadResult BadFraming(string message) => new(Array.Empty<byte>(), false, message);
}
