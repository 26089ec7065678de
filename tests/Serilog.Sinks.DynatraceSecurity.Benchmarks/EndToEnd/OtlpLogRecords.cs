using System;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>Counts the log records of an OTLP <c>ExportLogsServiceRequest</c> by walking the protobuf wire format.</summary>
static class OtlpLogRecords
{
    // ExportLogsServiceRequest.resource_logs = 1; ResourceLogs.scope_logs = 2; ScopeLogs.log_records = 2.
    static readonly int[] PathToLogRecords = { 1, 2, 2 };

    public static long Count(ReadOnlySpan<byte> request) => Count(request, PathToLogRecords);

    /// <summary>How many fields at the end of <paramref name="path"/> (field numbers, one per nesting level) there are.</summary>
    static long Count(ReadOnlySpan<byte> message, ReadOnlySpan<int> path)
    {
        if (path.IsEmpty)
            return 1;

        long count = 0;
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message, ref position);
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0: ReadVarint(message, ref position); break;
                case 1: position += 8; break;
                case 5: position += 4; break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    if ((int)(key >> 3) == path[0])
                        count += Count(message.Slice(position, length), path.Slice(1));
                    position += length;
                    break;
                default: throw new FormatException("Unexpected protobuf wire type " + wireType);
            }
        }

        return count;
    }

    static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
    }
}
