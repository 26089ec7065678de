using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Renders the message the way people read it: string values unquoted (Serilog's literal rendering), other values
/// with the invariant culture, and redacted properties as the mask. Renders into one reused character buffer that
/// goes to the JSON writer as a span (no intermediate string), for <c>event.description</c> and <c>finding.title</c>
/// alike; not thread-safe (the batching engine formats on one thread).
/// </summary>
internal sealed class MessageRenderer
{
    readonly CharBufferWriter _text = new();
    readonly RedactionPolicy _redaction;

    public MessageRenderer(RedactionPolicy redaction)
    {
        _redaction = redaction;
    }

    /// <summary>The rendered message; valid until the next call.</summary>
    public ReadOnlySpan<char> Render(LogEvent logEvent)
    {
        _text.Clear();
        var properties = logEvent.Properties;
        var tokens = logEvent.MessageTemplate.Tokens;
        if (tokens is MessageTemplateToken[] array)
        {
            for (var i = 0; i < array.Length; i++)
                Render(array[i], properties);
        }
        else
        {
            foreach (var token in tokens)
                Render(token, properties);
        }

        return _text.WrittenSpan;
    }

    void Render(MessageTemplateToken token, IReadOnlyDictionary<string, LogEventPropertyValue> properties)
    {
        if (token is TextToken text)
        {
            _text.Write(text.Text);
            return;
        }

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
            if (value is ScalarValue scalar)
            {
                if (property.Format == null)
                {
                    if (scalar.Value is string literal)
                    {
                        WriteAligned(literal, property.Alignment);
                        return;
                    }
#if NET8_0_OR_GREATER
                    if (property.Alignment == null && TryWriteNumber(scalar.Value))
                        return;
#endif
                }
            }
            else if (!ReferenceEquals(_redaction.Redact(value), value))
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

#if NET8_0_OR_GREATER
    /// <summary>
    /// Numbers without a format or alignment, formatted straight into the buffer: the same text Serilog renders
    /// (<c>IFormattable.ToString(null, InvariantCulture)</c>) without allocating it.
    /// </summary>
    bool TryWriteNumber(object? value)
    {
        var span = _text.GetSpan(64);
        var culture = CultureInfo.InvariantCulture;
        int written;
        var done = value switch
        {
            int number => number.TryFormat(span, out written, default, culture),
            long number => number.TryFormat(span, out written, default, culture),
            double number => number.TryFormat(span, out written, default, culture),
            float number => number.TryFormat(span, out written, default, culture),
            decimal number => number.TryFormat(span, out written, default, culture),
            short number => number.TryFormat(span, out written, default, culture),
            ushort number => number.TryFormat(span, out written, default, culture),
            uint number => number.TryFormat(span, out written, default, culture),
            ulong number => number.TryFormat(span, out written, default, culture),
            byte number => number.TryFormat(span, out written, default, culture),
            sbyte number => number.TryFormat(span, out written, default, culture),
            _ => Unhandled(out written),
        };
        if (done)
            _text.Advance(written);
        return done;
    }

    static bool Unhandled(out int written)
    {
        written = 0;
        return false;
    }
#endif

    void WriteAligned(string text, Alignment? alignment)
    {
        var padding = alignment is { } a ? a.Width - text.Length : 0;
        if (padding > 0 && alignment!.Value.Direction == AlignmentDirection.Right)
            _text.Write(' ', padding);
        _text.Write(text);
        if (padding > 0 && alignment!.Value.Direction == AlignmentDirection.Left)
            _text.Write(' ', padding);
    }
}
