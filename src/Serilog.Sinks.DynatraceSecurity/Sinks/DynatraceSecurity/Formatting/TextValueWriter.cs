using System;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes every text value of an event: repairs lone surrogates, cuts values longer than the current limit (never
/// inside a surrogate pair, so never inside a UTF-8 sequence; an ellipsis marks the cut) and notes the longest value
/// seen, so that an event over <c>eventBodyLimitBytes</c> can be written again with a limit that makes it fit.
/// </summary>
internal sealed class TextValueWriter
{
    public const string Ellipsis = "…";

    /// <summary>Values longer than this many UTF-16 characters are cut.</summary>
    public int MaximumLength { get; private set; } = int.MaxValue;

    /// <summary>Whether a value was cut during the current event.</summary>
    public bool Truncated { get; private set; }

    /// <summary>The length of the longest value written during the current event.</summary>
    public int Longest { get; private set; }

    public void Reset(int maximumLength)
    {
        MaximumLength = maximumLength;
        Truncated = false;
        Longest = 0;
    }

    public void WriteValue(Utf8JsonWriter json, string text) => json.WriteStringValue(Limit(text));

    public void Write(Utf8JsonWriter json, JsonEncodedText key, string text) => json.WriteString(key, Limit(text));

    /// <summary>Writes a value held in a character span (the rendered message) under the same rules.</summary>
    public void Write(Utf8JsonWriter json, JsonEncodedText key, ReadOnlySpan<char> text)
    {
        Note(text.Length);
        if (text.Length <= MaximumLength)
        {
            json.WriteString(key, text);
            return;
        }

        Truncated = true;
        json.WriteString(key, SafeText.Repair(text.Slice(0, SafeText.CutIndex(text, MaximumLength)).ToString() + Ellipsis));
    }

    public string Limit(string text)
    {
        Note(text.Length);
        if (text.Length <= MaximumLength)
            return SafeText.Repair(text);

        Truncated = true;
        return SafeText.Repair(text.Substring(0, SafeText.CutIndex(text.AsSpan(), MaximumLength)) + Ellipsis);
    }

    void Note(int length)
    {
        if (length > Longest)
            Longest = length;
    }
}
