namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>
/// One batch being sent, and what became of it so far: how many events were delivered, and whether (replaying) the rest
/// was deferred, and why. Made per call, so nothing is left over for the next batch.
/// </summary>
internal sealed class BatchSend
{
    public BatchSend(FormattedBatch batch)
    {
        Batch = batch;
    }

    public FormattedBatch Batch { get; }

    public int Delivered { get; private set; }

    /// <summary>Why the rest was left for later (replaying); null while it was not.</summary>
    public string? DeferredBecause { get; private set; }

    public bool Deferred => DeferredBecause != null;

    public void AddDelivered(int count) => Delivered += count;

    public void Defer(string because) => DeferredBecause ??= because;
}
