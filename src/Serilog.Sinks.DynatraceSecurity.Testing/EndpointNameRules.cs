using System.Globalization;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// OpenPipeline custom endpoint name rules: ASCII letters, digits and dots only; not empty; starts with a letter or digit;
/// no <c>..</c>; no trailing dot.
/// </summary>
internal static class EndpointNameRules
{
    /// <summary>Null when <paramref name="name"/> is valid, otherwise a message saying what is wrong.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "The endpoint name is empty.";
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsAsciiLetterOrDigit(c) && c != '.')
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"The endpoint name '{name}' contains the character U+{(int)c:X4} at position {i}; only letters, digits and dots are allowed.");
            }
        }

        if (name[0] == '.')
        {
            return $"The endpoint name '{name}' starts with a dot; it must start with a letter or digit.";
        }

        if (name.Contains("..", System.StringComparison.Ordinal))
        {
            return $"The endpoint name '{name}' contains '..'.";
        }

        if (name[^1] == '.')
        {
            return $"The endpoint name '{name}' ends with a dot.";
        }

        return null;
    }
}
