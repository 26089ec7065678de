using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Renders the message the way people read it: string values unquoted (Serilog's literal rendering), other values
/// with the invariant culture, and redacted properties as the mask. Not thread-safe: it reuses one writer.
/// </summary>
internal sealed class MessageRenderer
{
    readonly StringWriter _text = new(CultureInfo.InvariantCulture);
    readonly RedactionPolicy _redaction;

    public MessageRenderer(RedactionPolicy redaction)
    {
        _redaction = redaction;
    }

    public string Render(LogEvent logEvent)
    {
        var builder = _text.GetStringBuilder();
        builder.Clear();
        foreach (var token in logEvent.MessageTemplate.Tokens)
            Render(token, logEvent.Properties);
        var message = builder.ToString();
        if (builder.Capacity > 64 * 1024)
            builder.Capacity = 256; // a huge message does not keep its buffer for every later event
        return message;
    }

    void Render(MessageTemplateToken token, IReadOnlyDictionary<string, LogEventPropertyValue> properties)
    {
        if (token is not PropertyToken property)
        {
            token.Render(properties, _text, CultureInfo.InvariantCulture);
            return;
        }

        if (_redaction.IsRedacted(property.PropertyName))
        {
            WriteAligned(RedactionPolicy.Mask, property.Alignment);
            return;
        }

        if (properties.TryGetValue(property.PropertyName, out var value))
        {
            if (value is ScalarValue { Value: string literal } && property.Format == null)
            {
                WriteAligned(literal, property.Alignment);
                return;
            }

            if (value is not ScalarValue && !ReferenceEquals(_redaction.Redact(value), value))
            {
                // A structure, dictionary or sequence holding a redacted member: render the masked copy.
                var rendered = new StringWriter(CultureInfo.InvariantCulture);
                _redaction.Redact(value).Render(rendered, property.Format, CultureInfo.InvariantCulture);
                WriteAligned(rendered.ToString(), property.Alignment);
                return;
            }
        }

        token.Render(properties, _text, CultureInfo.InvariantCulture);
    }

    void WriteAligned(string text, Alignment? alignment)
    {
        var padding = alignment is { } a ? a.Width - text.Length : 0;
        if (padding > 0 && alignment!.Value.Direction == AlignmentDirection.Right)
            _text.Write(new string(' ', padding));
        _text.Write(text);
        if (padding > 0 && alignment!.Value.Direction == AlignmentDirection.Left)
            _text.Write(new string(' ', padding));
    }
}
