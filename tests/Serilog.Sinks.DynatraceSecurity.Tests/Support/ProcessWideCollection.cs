using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>
/// Tests that change or count process-wide state (the current directory, which OneAgent's per-process enrichment file
/// is opened from; SelfLog lines that every sink writes alike) run alone, after the parallel ones, so that no other
/// test sees or adds to it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide state (not run in parallel)";
}
