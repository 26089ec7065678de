using System;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore;

/// <summary>
/// Flood control: per <c>finding.type</c> and client address, a window starts at the first occurrence and lasts
/// <see cref="Window"/>; its first <see cref="MaxEvents"/> occurrences are written, and when it ends one summary event
/// (with <c>event.count</c>) stands for the rest. Checked when the app starts.
/// </summary>
public sealed class FloodControlOptions
{
    /// <summary>The events written individually per window; 1 to 10,000, 10 by default.</summary>
    public int MaxEvents { get; set; } = 10;

    /// <summary>How long a window lasts; 1 second to 1 hour, 1 minute by default.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
