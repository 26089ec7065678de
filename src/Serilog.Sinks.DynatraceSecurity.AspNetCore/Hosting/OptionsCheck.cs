using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Hosting;

/// <summary>Refuses options out of range when the app starts, naming the key and the value (nothing is clamped).</summary>
internal sealed class OptionsCheck : IValidateOptions<SecurityEventsOptions>
{
    public const int MaxEventsLimit = 10_000;
    public static readonly TimeSpan ShortestWindow = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestWindow = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, SecurityEventsOptions options)
    {
        var problems = new List<string>();
        var flood = options.FloodControl;
        if (flood.MaxEvents < 1 || flood.MaxEvents > MaxEventsLimit)
            problems.Add(string.Format(CultureInfo.InvariantCulture, "SecurityEvents FloodControl:MaxEvents must be 1 to 10,000; it is {0}.", flood.MaxEvents));
        if (flood.Window < ShortestWindow || flood.Window > LongestWindow)
            problems.Add(string.Format(CultureInfo.InvariantCulture, "SecurityEvents FloodControl:Window must be 00:00:01 to 01:00:00; it is {0}.", flood.Window));
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
