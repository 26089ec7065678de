using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>
/// Tests that check an upper bound on elapsed time run alone, after the parallel ones: audit-mode tests block thread-pool
/// threads on purpose, and on a 2-core machine the pool then grows slowly enough to delay timers by seconds.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing (not run in parallel)";
}
