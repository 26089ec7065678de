using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Renders the message the way people read it: string values unquoted (Serilog's literal rendering), other values
/// with the invariant culture, and redacted properties as the mask. Reuses one text buffer; not thread-safe (the
/// batching engine formats on one thread).
/// </summary>
internal sealed class MessageRenderer
{
    readonly StringBuilder _text = new(256);
    readonly StringWriter _writer;
    readonly RedactionPolicy _redaction;
    readonly TextValueWriter _values;

    public MessageRenderer(RedactionPolicy redaction, TextValueWriter values)
    {
        _writer = new StringWriter(_text, CultureInfo.InvariantCulture);
        _redaction = redaction;
        _values = values;
    }

    public void WriteRendered(Utf8JsonWriter json, JsonEncodedText key, LogEvent logEvent)
    {
        _text.Clear();
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken redacted && _redaction.IsRedacted(redacted.PropertyName))
            {
                WriteAligned(RedactionPolicy.Mask, redacted.Alignment);
            }
            else if (token is PropertyToken property &&
                logEvent.Properties.TryGetValue(property.PropertyName, out var value) &&
                value is ScalarValue { Value: string text } &&
                property.Format == null)
            {
                WriteAligned(text, property.Alignment);
            }
            else if (token is PropertyToken nested &&
                logEvent.Properties.TryGetValue(nested.PropertyName, out var structured) &&
                structured is not ScalarValue &&
                !ReferenceEquals(_redaction.Redact(structured), structured))
            {
                // A structure, dictionary or sequence holding a redacted member: render the masked copy.
                var rendered = new StringWriter(CultureInfo.InvariantCulture);
                _redaction.Redact(structured).Render(rendered, nested.Format, CultureInfo.InvariantCulture);
                WriteAligned(rendered.ToString(), nested.Alignment);
            }
            else
            {
                token.Render(logEvent.Properties, _writer, CultureInfo.InvariantCulture);
            }
        }

        var length = _text.Length;
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(length, 1));
        try
        {
            _text.CopyTo(0, chars, 0, length);
            _values.Write(json, key, chars.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }

        if (_text.Capacity > 64 * 1024)
        {
            // Do not keep a huge buffer after one huge message.
            _text.Clear();
            _text.Capacity = 256;
        }
    }

    void WriteAligned(string text, Alignment? alignment)
    {
        var padding = alignment is { } a ? a.Width - text.Length : 0;
        if (padding > 0 && alignment!.Value.Direction == AlignmentDirection.Right)
            _text.Append(' ', padding);
        _text.Append(text);
        if (padding > 0 && alignment!.Value.Direction == AlignmentDirection.Left)
            _text.Append(' ', padding);
    }
}
