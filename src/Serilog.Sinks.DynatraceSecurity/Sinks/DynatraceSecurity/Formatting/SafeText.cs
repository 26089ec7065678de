using System;
using System.Globalization;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Text that is always safe to write as JSON: lone surrogates become U+FFFD, and values whose <c>ToString()</c>
/// throws or returns null get a placeholder instead of failing the event.
/// </summary>
internal static class SafeText
{
    public static string Of(object value)
    {
        string? text;
        try
        {
            text = value is IFormattable formattable
                ? formattable.ToString(null, CultureInfo.InvariantCulture)
                : value.ToString();
        }
        catch (Exception ex)
        {
            return "<" + ex.GetType().Name + " thrown by " + value.GetType().Name + ".ToString()>";
        }

        return text == null ? string.Empty : Repair(text);
    }

    /// <summary>
    /// How many of <paramref name="text"/>'s characters to keep so that at most <paramref name="maximumLength"/> are kept
    /// and a surrogate pair is never split (so a UTF-8 sequence never is either).
    /// </summary>
    public static int CutIndex(ReadOnlySpan<char> text, int maximumLength) =>
        text.Length <= maximumLength ? text.Length
        : maximumLength > 0 && char.IsHighSurrogate(text[maximumLength - 1]) ? maximumLength - 1 : maximumLength;

    /// <summary>Returns <paramref name="text"/> with every unpaired surrogate replaced by U+FFFD.</summary>
    public static string Repair(string text)
    {
        var firstBad = FindUnpairedSurrogate(text, 0);
        if (firstBad < 0)
            return text;

        var chars = text.ToCharArray();
        for (var i = firstBad; i >= 0; i = FindUnpairedSurrogate(text, i + 1))
            chars[i] = '\uFFFD';
        return new string(chars);
    }

    static int FindUnpairedSurrogate(string text, int start)
    {
#if NET8_0_OR_GREATER
        // Almost all text has no surrogate at all: find the first one with a vectorized search.
        var first = text.AsSpan(start).IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
            return -1;
        start += first;
#endif
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c))
                continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }
}
