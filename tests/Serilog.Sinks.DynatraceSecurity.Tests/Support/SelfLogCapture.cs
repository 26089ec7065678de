using System.Collections.Concurrent;
using System.Linq;
using System.Runtime.CompilerServices;
using Serilog.Debugging;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>
/// SelfLog is process-wide: it is enabled once for the whole test run and every line is kept, so tests can check
/// what reached it (filtering by their own unique values) without racing each other.
/// </summary>
static class SelfLogCapture
{
    static readonly ConcurrentQueue<string> Lines = new();

    [ModuleInitializer]
    internal static void Enable() => SelfLog.Enable(line => Lines.Enqueue(line));

    public static string[] All => Lines.ToArray();

    public static string[] Containing(string text) => All.Where(l => l.Contains(text)).ToArray();
}
