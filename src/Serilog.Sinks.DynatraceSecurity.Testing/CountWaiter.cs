using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>A pending wait for a counter to reach a target.</summary>
internal sealed class CountWaiter
{
    public CountWaiter(RecordedCount counter, int target)
    {
        Counter = counter;
        Target = target;
    }

    public RecordedCount Counter { get; }

    public int Target { get; }

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
