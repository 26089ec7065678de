using System;
using System.Buffers;
using System.Globalization;
using System.IO;
using System.Text;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// A <see cref="TextWriter"/> over one reused, pooled character buffer whose content is read back as a span, so that
/// the rendered message goes to the JSON writer without an intermediate string or copy. Invariant culture.
/// </summary>
internal sealed class CharBufferWriter : TextWriter
{
    const int InitialSize = 256;
    const int KeptSize = 64 * 1024;

    char[] _buffer = ArrayPool<char>.Shared.Rent(InitialSize);
    int _length;

    public CharBufferWriter()
        : base(CultureInfo.InvariantCulture)
    {
    }

    public override Encoding Encoding => Encoding.Unicode;

    public ReadOnlySpan<char> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Empties the buffer; one that grew large after a huge message is given back.</summary>
    public void Clear()
    {
        _length = 0;
        if (_buffer.Length > KeptSize)
        {
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = ArrayPool<char>.Shared.Rent(InitialSize);
        }
    }

    public override void Write(char value)
    {
        if (_length == _buffer.Length)
            Grow(1);
        _buffer[_length++] = value;
    }

    public override void Write(string? value)
    {
        if (value == null)
            return;
        if (_buffer.Length - _length < value.Length)
            Grow(value.Length);
        value.CopyTo(0, _buffer, _length, value.Length);
        _length += value.Length;
    }

    public override void Write(char[] buffer, int index, int count)
    {
        if (_buffer.Length - _length < count)
            Grow(count);
        Array.Copy(buffer, index, _buffer, _length, count);
        _length += count;
    }

#if NET8_0_OR_GREATER
    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (_buffer.Length - _length < buffer.Length)
            Grow(buffer.Length);
        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    /// <summary>Room for at least <paramref name="size"/> more characters, to format into directly.</summary>
    public Span<char> GetSpan(int size)
    {
        if (_buffer.Length - _length < size)
            Grow(size);
        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;
#endif

    /// <summary>Appends <paramref name="count"/> copies of <paramref name="value"/>.</summary>
    public void Write(char value, int count)
    {
        if (count <= 0)
            return;
        if (_buffer.Length - _length < count)
            Grow(count);
        _buffer.AsSpan(_length, count).Fill(value);
        _length += count;
    }

    void Grow(int needed)
    {
        var larger = ArrayPool<char>.Shared.Rent(Math.Max(checked(_length + needed), checked(_buffer.Length * 2)));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = larger;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = Array.Empty<char>();
            _length = 0;
        }

        base.Dispose(disposing);
    }
}
