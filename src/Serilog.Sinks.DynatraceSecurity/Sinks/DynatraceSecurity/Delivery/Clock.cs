using System;
using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Delivery;

/// <summary>Waits and timeouts on an injected <c>TimeProvider</c>, the same way on every target framework.</summary>
internal static class Clock
{
    /// <summary>Waits <paramref name="delay"/>; returns early, without throwing, when <paramref name="cancellation"/> fires.</summary>
    public static async Task WaitAsync(this TimeProvider time, TimeSpan delay, CancellationToken cancellation)
    {
        if (delay <= TimeSpan.Zero)
            return;
        try
        {
#if NET8_0_OR_GREATER
            await Task.Delay(delay, time, cancellation).ConfigureAwait(false);
#else
            await time.Delay(delay, cancellation).ConfigureAwait(false);
#endif
        }
        catch (OperationCanceledException)
        {
            // Shutdown began: no more waiting.
        }
    }

    public static CancellationTokenSource Timeout(this TimeProvider time, TimeSpan delay) =>
#if NET8_0_OR_GREATER
        new(delay, time);
#else
        time.CreateCancellationTokenSource(delay);
#endif
}
