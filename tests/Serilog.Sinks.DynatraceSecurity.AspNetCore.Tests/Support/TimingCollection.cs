using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;

/// <summary>Tests that depend on wall time run alone, after the parallel ones, so that a busy machine does not skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing (not run in parallel)";
}
