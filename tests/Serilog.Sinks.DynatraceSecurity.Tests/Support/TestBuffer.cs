using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Testing;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>Buffer files written as a sink writes them, for tests that find them on disk at start.</summary>
static class TestBuffer
{
    /// <summary>Where a sink sends to (and so which buffer files it replays): the receiver's URL, the route, the endpoint.</summary>
    public static string Destination(DynatraceIngestReceiver receiver, string endpoint = "contoso.identity") =>
        SinkSettings.From(TestOptions.Create(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.Endpoint = endpoint;
        })).Target.AbsoluteUri;

    /// <summary>An event numbered <paramref name="n"/> (property N) with the fields the receiver requires.</summary>
    public static string EventJson(int n) =>
        $"{{\"N\":{n},\"event.id\":\"e{n}\",\"event.provider\":\"p\",\"finding.type\":\"t\",\"finding.id\":\"e{n}\",\"finding.time.created\":\"x\"," +
        "\"finding.title\":\"t\",\"dt.security.risk.level\":\"LOW\",\"object.id\":\"o\",\"object.type\":\"PROCESS\"}";

    /// <summary>Writes a buffer file of numbered events, aged as given; returns its path.</summary>
    public static string Write(string directory, string name, string destination, IEnumerable<(int N, TimeSpan Age)> events)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + BufferDirectory.Extension);
        using var batch = new FormattedBatch();
        using var body = new PooledBufferWriter();
        using var file = File.Create(path);
        var now = DateTimeOffset.UtcNow;
        foreach (var (n, age) in events)
            batch.Add(null, now - age, Encoding.UTF8.GetBytes(EventJson(n)));
        BufferFile.Write(file, destination, batch, EventSet.Range(0, batch.Count), body);
        return path;
    }

    /// <summary>A name that sorts as a file written <paramref name="ago"/>, as the sink names them.</summary>
    public static string Name(TimeSpan ago, int sequence) => $"{(DateTimeOffset.UtcNow - ago).UtcTicks:D19}-0000001-{sequence:D6}";
}
