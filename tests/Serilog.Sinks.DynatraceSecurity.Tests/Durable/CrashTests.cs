using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Durable;

/// <summary>A process killed during an outage, without disposing its logger: what reached the disk is delivered later.</summary>
public sealed class CrashTests : IDisposable
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    readonly TemporaryDirectory _directory = new();

    [Fact]
    public async Task EventsAKilledProcessWroteToItsBufferAreDeliveredByTheNextProcess()
    {
        const int Count = 40;
        var buffer = Path.Combine(_directory.Path, "buffer");
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        for (var i = 0; i < 10_000; i++)
            receiver.EnqueueResponse(ScriptedResponse.Status(503));

        using (var child = StartChild(receiver, buffer, Count))
        {
            // The crash window: events are safe once on disk (after the failed retry, or at once while the endpoint is down).
            Eventually.True(() => EventsOnDisk(buffer) == Count, Deadline, "the child's events reached its buffer");
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }

        receiver.ClearScriptedResponses();
        receiver.Clear();
        await using var next = await SinkHarness.StartAsync(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.Endpoint = "crash.child";
            o.BufferPath = buffer;
        });

        await receiver.WaitForEventsAsync(Count, Deadline);
        receiver.Events.Select(e => e.Json.GetProperty("N").GetInt32()).Should().BeEquivalentTo(Enumerable.Range(0, Count));
        receiver.Events.Select(e => e.GetString("event.id")).Should().OnlyHaveUniqueItems();
    }

    static Process StartChild(DynatraceIngestReceiver receiver, string buffer, int count)
    {
        var configuration = typeof(CrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BuildConfiguration").Value!;
        const string Name = "Serilog.Sinks.DynatraceSecurity.CrashChild";
        var assembly = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", Name, "bin", configuration, "net10.0", Name + ".dll");
        if (!File.Exists(assembly))
            throw new FileNotFoundException("The crash child is not built; build the solution first.", assembly);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { assembly, receiver.EnvironmentUrl.ToString(), receiver.AccessToken, buffer, count.ToString() })
            start.ArgumentList.Add(arg);
        var child = Process.Start(start)!;
        child.StandardOutput.ReadLine().Should().Be("LOGGED");
        return child;
    }

    /// <summary>The events in the whole buffer files (their headers say how many).</summary>
    static int EventsOnDisk(string buffer)
    {
        if (!Directory.Exists(buffer))
            return 0;
        var total = 0;
        foreach (var file in Directory.GetFiles(buffer, "*.dtsb"))
        {
            try
            {
                using var reader = new StreamReader(file, Encoding.UTF8);
                total += JsonDocument.Parse(reader.ReadLine()!).RootElement.GetProperty("events").GetInt32();
            }
            catch (IOException)
            {
            }
        }

        return total;
    }

    public void Dispose() => _directory.Dispose();
}
