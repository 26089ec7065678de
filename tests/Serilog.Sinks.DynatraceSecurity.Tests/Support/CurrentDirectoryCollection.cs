using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>
/// Tests that change the process's current directory (OneAgent's per-process enrichment file is opened by a bare file
/// name) run alone, after the parallel ones, so that no other test sees the change.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CurrentDirectoryCollection
{
    public const string Name = "current directory (not run in parallel)";
}
