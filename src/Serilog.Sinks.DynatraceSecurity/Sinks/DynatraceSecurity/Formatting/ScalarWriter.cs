using System;
using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Writes a scalar property value with its JSON type: numbers stay numbers, <c>bool</c> and <c>null</c> stay
/// themselves, dates become RFC 3339 UTC strings, and anything JSON cannot represent (NaN, infinities, huge
/// integers) becomes a string.
/// </summary>
internal static class ScalarWriter
{
    public static void Write(Utf8JsonWriter json, object? value, TextValueWriter text)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string value1:
                text.WriteValue(json, value1);
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
                WriteFloatingPoint(json, number);
                break;
            case float number:
                if (IsFinite(number)) json.WriteNumberValue(number);
                else WriteNonFinite(json, number);
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
                else text.WriteValue(json, big.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                text.WriteValue(json, SafeText.Of(value));
                break;
        }
    }

    /// <summary>A <see cref="DateTime"/> as UTC; an unspecified kind is taken to be UTC already.</summary>
    public static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    static void WriteFloatingPoint(Utf8JsonWriter json, double number)
    {
        if (!double.IsNaN(number) && !double.IsInfinity(number)) json.WriteNumberValue(number);
        else WriteNonFinite(json, number);
    }

    static bool IsFinite(float number) => !float.IsNaN(number) && !float.IsInfinity(number);

    static void WriteNonFinite(Utf8JsonWriter json, double number) =>
        json.WriteStringValue(double.IsNaN(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity");
}
