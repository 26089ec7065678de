using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>
/// Keys under the namespaces OpenPipeline reserves (<c>dt.ingest.*</c>, <c>dt.openpipeline.*</c>, <c>dt.retain.*</c>,
/// <c>dt.system.*</c>) arrive with the prefix <c>serilog.</c>, over loopback HTTP.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public class ReservedNamespaceTests
{
    const string SaidOnce = "keys under Dynatrace's reserved namespaces";

    [Fact]
    public async Task ReservedKeysArriveWithThePrefixFromPropertiesStructuresAndAttributes()
    {
        using var enrichment = new TemporaryDirectory();
        enrichment.Write(EnrichmentFiles.HostFile, """{ "dt.system.bucket": "from-file", "dt.entity.host": "HOST-1" }""");
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnrichmentDirectory = enrichment.Path;
            o.StaticAttributes = new Dictionary<string, string> { ["dt.retain.days"] = "35", ["dt.security_context"] = "team-identity" };
        });

        harness.Security()
            .ForContext("dt.ingest.source", "from-property")
            .ForContext("DT.OpenPipeline.Pipeline", "any case")
            .ForContext("dt", new { system = new { id = 7 } }, destructureObjects: true)
            .Warning("x");
        await harness.Logger.DisposeAsync();

        var received = harness.Receiver.Events.Should().ContainSingle().Subject;
        received.GetString("serilog.dt.ingest.source").Should().Be("from-property");
        received.GetString("serilog.DT.OpenPipeline.Pipeline").Should().Be("any case");
        received.GetString("serilog.dt.system.id").Should().Be("7");
        received.GetString("serilog.dt.retain.days").Should().Be("35");
        received.GetString("serilog.dt.system.bucket").Should().Be("from-file");
        received.Json.EnumerateObject().Select(p => p.Name)
            .Where(name => name.StartsWith("dt.ingest") || name.StartsWith("dt.system") || name.StartsWith("dt.retain") ||
                           name.StartsWith("DT.OpenPipeline"))
            .Should().BeEmpty();
        received.GetString("dt.security_context").Should().Be("team-identity", "other dt.* keys are Dynatrace's semantic names");
        received.GetString("dt.entity.host").Should().Be("HOST-1");
        received.GetString("dt.security.risk.level").Should().Be("MEDIUM");
    }

    [Fact]
    public async Task APrefixedKeyAndTheSameNameGivenLiterallyAreOneKey()
    {
        await using var harness = await SinkHarness.StartAsync();

        harness.Security()
            .ForContext("serilog.dt.ingest.source", "literal")
            .ForContext("dt.ingest.source", "prefixed")
            .Warning("x");
        await harness.Logger.DisposeAsync();

        // The receiver refuses duplicate keys, so arriving at all shows the key was written once.
        harness.Fallback.Events.Should().BeEmpty();
        harness.Receiver.Events.Should().ContainSingle().Which.GetString("serilog.dt.ingest.source").Should().BeOneOf("literal", "prefixed");
    }

    [Fact]
    public async Task TheRenameIsSaidOnceInSelfLog()
    {
        var before = SelfLogCapture.Containing(SaidOnce).Length;
        await using var harness = await SinkHarness.StartAsync(o =>
            o.StaticAttributes = new Dictionary<string, string> { ["dt.retain.days"] = "35" });

        for (var i = 0; i < 3; i++)
            harness.Security().ForContext("dt.ingest.source", "x" + i).Warning("Event {N}", i);
        await harness.Logger.DisposeAsync();

        harness.Receiver.Events.Should().HaveCount(3);
        SelfLogCapture.Containing(SaidOnce).Length.Should().Be(before + 1);
    }
}
