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
/// with the invariant culture. Reuses one text buffer; not thread-safe (the batching engine formats on one thread).
/// </summary>
internal sealed class MessageRenderer
{
    readonly StringBuilder _text = new(256);
    readonly StringWriter _writer;

    public MessageRenderer()
    {
        _writer = new StringWriter(_text, CultureInfo.InvariantCulture);
    }

    public void WriteRendered(Utf8JsonWriter json, JsonEncodedText key, LogEvent logEvent)
    {
        _text.Clear();
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken property &&
                logEvent.Properties.TryGetValue(property.PropertyName, out var value) &&
                value is ScalarValue { Value: string text } &&
                property.Format == null)
            {
                WriteAligned(text, property.Alignment);
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
            json.WriteString(key, chars.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }

        if (_text.Capacity > 64 * 1024)
            _text.Capacity = 256; // do not keep a huge buffer after one huge message
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
