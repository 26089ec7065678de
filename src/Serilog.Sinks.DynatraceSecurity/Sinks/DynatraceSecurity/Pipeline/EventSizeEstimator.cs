using System.Collections.Generic;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Pipeline;

/// <summary>
/// Estimates, without formatting, how many bytes a queued event will take, for <c>queueLimitBytes</c>. Cheap and
/// deterministic (the same event always gives the same estimate, so it can be released exactly): strings count
/// their length, other scalars a constant, structures and sequences their parts (up to a bounded depth and
/// breadth, beyond which a constant per item), an exception a constant.
/// </summary>
internal static class EventSizeEstimator
{
    /// <summary>The built-in fields (timestamp, ids, kind, type, severity, provider...) and JSON punctuation.</summary>
    const int Overhead = 320;
    const int ExceptionEstimate = 2048;
    const int ScalarEstimate = 16;
    const int MaximumDepth = 4;
    const int MaximumItems = 64;

    public static long Estimate(LogEvent logEvent)
    {
        long size = Overhead + logEvent.MessageTemplate.Text.Length;
        if (logEvent.Exception != null)
            size += ExceptionEstimate;

        // LogEvent.Properties is a Dictionary in every Serilog 4 release: enumerate it without boxing an enumerator
        // (this runs on the logging thread for every security event).
        if (logEvent.Properties is Dictionary<string, LogEventPropertyValue> properties)
        {
            foreach (var property in properties)
                size += property.Key.Length + 4 + Estimate(property.Value, 0);
        }
        else
        {
            foreach (var property in logEvent.Properties)
                size += property.Key.Length + 4 + Estimate(property.Value, 0);
        }

        return size;
    }

    static long Estimate(LogEventPropertyValue value, int depth)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                return text.Length + 2;
            case ScalarValue:
                return ScalarEstimate;
            case SequenceValue sequence:
                return EstimateItems(sequence.Elements, depth);
            case StructureValue structure:
            {
                if (depth >= MaximumDepth)
                    return structure.Properties.Count * ScalarEstimate * 2;
                long size = 2;
                var properties = structure.Properties;
                for (var i = 0; i < properties.Count; i++)
                {
                    size += i >= MaximumItems
                        ? ScalarEstimate * 2
                        : properties[i].Name.Length + 4 + Estimate(properties[i].Value, depth + 1);
                }

                return size;
            }
            case DictionaryValue dictionary:
            {
                if (depth >= MaximumDepth)
                    return dictionary.Elements.Count * ScalarEstimate * 2;
                long size = 2;
                var items = 0;
                foreach (var entry in dictionary.Elements)
                {
                    size += ++items > MaximumItems
                        ? ScalarEstimate * 2
                        : Estimate(entry.Key, depth + 1) + Estimate(entry.Value, depth + 1);
                }

                return size;
            }
            default:
                return ScalarEstimate;
        }
    }

    static long EstimateItems(IReadOnlyList<LogEventPropertyValue> elements, int depth)
    {
        if (depth >= MaximumDepth)
            return elements.Count * ScalarEstimate;
        long size = 2;
        for (var i = 0; i < elements.Count; i++)
            size += i >= MaximumItems ? ScalarEstimate : Estimate(elements[i], depth + 1) + 1;
        return size;
    }
}
