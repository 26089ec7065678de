using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests.Support;

/// <summary>
/// Tests that check an upper bound on elapsed time run alone, after the parallel ones, so that a busy machine does not
/// fail them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing (not run in parallel)";
}
