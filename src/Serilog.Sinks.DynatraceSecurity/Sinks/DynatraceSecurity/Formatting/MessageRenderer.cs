using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.IO;
using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Renders the message the way people read it: string values unquoted (Serilog's literal rendering), other values
/// with the invariant culture, and redacted properties as the mask. Renders into one reused buffer; not thread-safe.
/// </summary>
internal sealed class MessageRenderer
{
    // A buffer that grew past this for a huge message is let go after it.
    const int KeptCapacity = 64 * 1024;

    readonly StringWriter _text = new(CultureInfo.InvariantCulture);
    readonly RedactionPolicy _redaction;

    public MessageRenderer(RedactionPolicy redaction)
    {
        _redaction = redaction;
    }

    public string Render(LogEvent logEvent)
    {
        var buffer = _text.GetStringBuilder();
        buffer.Clear();
        // Tokens is an array in every Serilog 4 release: enumerated without boxing an enumerator (32 B per event).
        var tokens = logEvent.MessageTemplate.Tokens as MessageTemplateToken[] ?? logEvent.MessageTemplate.Tokens.ToArray();
        foreach (var token in tokens)
        {
            if (token is not PropertyToken property || !TryRender(property, logEvent.Properties))
                token.Render(logEvent.Properties, _text, CultureInfo.InvariantCulture);
        }

        var message = buffer.ToString();
        if (buffer.Capacity > KeptCapacity)
            buffer.Clear().Capacity = 256;
        return message;
    }

    /// <summary>Renders what Serilog would render otherwise: redacted values, and strings unquoted.</summary>
    bool TryRender(PropertyToken property, IReadOnlyDictionary<string, LogEventPropertyValue> properties)
    {
        if (_redaction.IsRedacted(property.PropertyName))
        {
            WriteAligned(RedactionPolicy.Mask, property.Alignment);
            return true;
        }

        if (!properties.TryGetValue(property.PropertyName, out var value))
            return false;

        if (value is ScalarValue { Value: string literal } && property.Format == null)
        {
            WriteAligned(literal, property.Alignment);
            return true;
        }

        if (value is ScalarValue)
            return false;

        var redacted = _redaction.Redact(value);
        if (ReferenceEquals(redacted, value))
            return false;

        // A structure, dictionary or sequence holding a redacted member: render the masked copy.
        var rendered = new StringWriter(CultureInfo.InvariantCulture);
        redacted.Render(rendered, property.Format, CultureInfo.InvariantCulture);
        WriteAligned(rendered.ToString(), property.Alignment);
        return true;
    }

    void WriteAligned(string text, Alignment? alignment)
    {
        var padding = alignment is { } a ? a.Width - text.Length : 0;
        var buffer = _text.GetStringBuilder();
        if (padding > 0 && alignment!.Value.Direction == AlignmentDirection.Right)
            buffer.Append(' ', padding);
        buffer.Append(text);
        if (padding > 0 && alignment!.Value.Direction == AlignmentDirection.Left)
            buffer.Append(' ', padding);
    }
}
