using System;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// Removes a secret from text the sink reports (SelfLog, exceptions, failure reports): every occurrence, and the start
/// of one cut off at the end of the text, because an error body is read only up to a bound and may end inside an echo.
/// </summary>
internal static class Redaction
{
    public const string Mask = "***";

    /// <summary>A cut shorter than this at the end of a text is taken as chance, not as the start of the secret.</summary>
    const int ShortestCut = 4;

    public static string Redact(string text, string secret)
    {
        if (secret.Length == 0)
            return text;
        if (text.IndexOf(secret, StringComparison.Ordinal) >= 0)
            text = text.Replace(secret, Mask);
        for (var length = Math.Min(secret.Length - 1, text.Length); length >= ShortestCut; length--)
        {
            if (string.CompareOrdinal(text, text.Length - length, secret, 0, length) == 0)
                return text.Substring(0, text.Length - length) + Mask;
        }

        return text;
    }
}
