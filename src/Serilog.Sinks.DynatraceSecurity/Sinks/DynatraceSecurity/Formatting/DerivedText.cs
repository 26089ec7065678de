using System;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>Text the sink derives from an event for its built-in fields.</summary>
internal static class DerivedText
{
    /// <summary>
    /// The event's <c>EventId.Name</c> (as Serilog.Extensions.Logging records Microsoft.Extensions.Logging event ids),
    /// else its message template, so that events from one call site share a type; else the event type.
    /// </summary>
    public static string FindingTypeOf(LogEvent logEvent, string eventType)
    {
        if (logEvent.Properties.TryGetValue("EventId", out var value) && value is StructureValue eventId)
        {
            var members = eventId.Properties;
            for (var i = 0; i < members.Count; i++)
            {
                if (members[i] is { Name: "Name", Value: ScalarValue { Value: string name } } && !string.IsNullOrWhiteSpace(name))
                    return name;
            }
        }

        var template = logEvent.MessageTemplate.Text;
        return string.IsNullOrWhiteSpace(template) ? eventType : template;
    }

    // Exception members are user code and may throw; the event is still worth sending.
    public static string Describe(Exception exception, Func<Exception, string?> read)
    {
        try
        {
            return read(exception) ?? string.Empty;
        }
        catch (Exception failure)
        {
            return "<" + failure.GetType().Name + " thrown while reading " + exception.GetType().Name + ">";
        }
    }
}
