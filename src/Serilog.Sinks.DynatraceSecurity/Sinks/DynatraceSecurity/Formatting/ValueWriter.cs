using System;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes every value of an event. Text is always safe JSON: lone surrogates become U+FFFD, values whose
/// <c>ToString()</c> throws get a placeholder; values longer than the current limit are cut (never inside a surrogate
/// pair, so never inside a UTF-8 sequence; an ellipsis marks the cut), and the longest value seen is noted, so that an
/// event over <c>eventBodyLimitBytes</c> can be written again with a limit that makes it fit. Scalars keep their JSON
/// type: numbers, <c>bool</c> and <c>null</c> stay themselves, dates become RFC 3339 UTC strings, and what JSON cannot
/// represent (NaN, infinities, huge integers) becomes a string.
/// </summary>
internal sealed class ValueWriter
{
    public const string Ellipsis = "…";

    int _maximumLength = int.MaxValue;

    /// <summary>Whether a value was cut during the current event.</summary>
    public bool Truncated { get; private set; }

    /// <summary>The length of the longest text value written during the current event.</summary>
    public int Longest { get; private set; }

    /// <summary>Starts an event whose text values longer than <paramref name="maximumLength"/> characters are cut.</summary>
    public void Reset(int maximumLength)
    {
        _maximumLength = maximumLength;
        Truncated = false;
        Longest = 0;
    }

    public void WriteText(Utf8JsonWriter json, string text) => json.WriteStringValue(Limit(text));

    public void WriteText(Utf8JsonWriter json, JsonEncodedText key, string text) => json.WriteString(key, Limit(text));

    /// <summary>Writes a value held in a character span (the rendered message) under the same rules.</summary>
    public void WriteText(Utf8JsonWriter json, JsonEncodedText key, ReadOnlySpan<char> text)
    {
        Note(text.Length);
        if (text.Length <= _maximumLength)
        {
            json.WriteString(key, text);
            return;
        }

        Truncated = true;
        json.WriteString(key, Repair(text.Slice(0, CutIndex(text, _maximumLength)).ToString() + Ellipsis));
    }

    string Limit(string text)
    {
        Note(text.Length);
        if (text.Length <= _maximumLength)
            return Repair(text);

        Truncated = true;
        return Repair(text.Substring(0, CutIndex(text.AsSpan(), _maximumLength)) + Ellipsis);
    }

    void Note(int length)
    {
        if (length > Longest)
            Longest = length;
    }

    public void WriteScalar(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                WriteText(json, text);
                break;
            case bool boolean:
                json.WriteBooleanValue(boolean);
                break;
            case int number:
                json.WriteNumberValue(number);
                break;
            case long number:
                json.WriteNumberValue(number);
                break;
            case double number:
                if (double.IsNaN(number) || double.IsInfinity(number)) WriteNonFinite(json, number);
                else json.WriteNumberValue(number);
                break;
            case float number:
                if (float.IsNaN(number) || float.IsInfinity(number)) WriteNonFinite(json, number);
                else json.WriteNumberValue(number);
                break;
            case decimal number:
                json.WriteNumberValue(number);
                break;
            case short number:
                json.WriteNumberValue(number);
                break;
            case byte number:
                json.WriteNumberValue(number);
                break;
            case sbyte number:
                json.WriteNumberValue(number);
                break;
            case ushort number:
                json.WriteNumberValue(number);
                break;
            case uint number:
                json.WriteNumberValue(number);
                break;
            case ulong number:
                json.WriteNumberValue(number);
                break;
            case DateTimeOffset timestamp:
                json.WriteStringValue(timestamp.UtcDateTime);
                break;
            case DateTime dateTime:
                json.WriteStringValue(ToUtc(dateTime));
                break;
            case Guid guid:
                json.WriteStringValue(guid);
                break;
            case TimeSpan duration:
                json.WriteStringValue(duration.ToString("c", CultureInfo.InvariantCulture));
                break;
            case char character:
                json.WriteStringValue(char.IsSurrogate(character) ? "\uFFFD" : character.ToString());
                break;
            case byte[] bytes:
                json.WriteBase64StringValue(bytes);
                break;
            case BigInteger big:
                if (big >= long.MinValue && big <= long.MaxValue) json.WriteNumberValue((long)big);
                else WriteText(json, big.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                WriteText(json, TextOf(value));
                break;
        }
    }

    static void WriteNonFinite(Utf8JsonWriter json, double number) =>
        json.WriteStringValue(double.IsNaN(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity");

    /// <summary>A <see cref="DateTime"/> as UTC; an unspecified kind is taken to be UTC already.</summary>
    public static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    /// <summary>The value's invariant text, repaired; a placeholder when its <c>ToString()</c> throws.</summary>
    public static string TextOf(object value)
    {
        string? text;
        try
        {
            text = value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString();
        }
        catch (Exception ex)
        {
            return "<" + ex.GetType().Name + " thrown by " + value.GetType().Name + ".ToString()>";
        }

        return text == null ? string.Empty : Repair(text);
    }

    /// <summary>
    /// How many of <paramref name="text"/>'s characters to keep so that at most <paramref name="maximumLength"/> are kept
    /// and a surrogate pair is never split.
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
