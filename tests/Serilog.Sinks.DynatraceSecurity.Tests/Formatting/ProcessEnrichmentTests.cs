using System;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>
/// OneAgent's per-process enrichment: inside a monitored process, opening <c>dt_metadata_e617….json</c> by its bare name
/// gives the path of the process's metadata file. Simulated here with that file in the current directory.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public sealed class ProcessEnrichmentTests : IDisposable
{
    readonly string _previousDirectory = Environment.CurrentDirectory;
    readonly TemporaryDirectory _processDirectory = new();
    readonly TemporaryDirectory _enrichmentDirectory = new();

    public ProcessEnrichmentTests()
    {
        var metadata = _processDirectory.Write("dt_metadata_private.json",
            """{ "dt.entity.process_group_instance": "PROCESS_GROUP_INSTANCE-42", "host.name": "from-process" }""");
        _processDirectory.Write(EnrichmentFiles.ProcessFile, metadata + "\n");
        _enrichmentDirectory.Write(EnrichmentFiles.HostFile, """{ "dt.entity.host": "HOST-1", "host.name": "from-host" }""");
        Environment.CurrentDirectory = _processDirectory.Path;
    }

    public void Dispose()
    {
        Environment.CurrentDirectory = _previousDirectory;
        _processDirectory.Dispose();
        _enrichmentDirectory.Dispose();
    }

    [Fact]
    public async Task TheProcessFileNamesTheProcesssMetadataWhichIsMoreSpecificThanTheHosts()
    {
        await using var harness = await SinkHarness.StartAsync(o => o.EnrichmentDirectory = _enrichmentDirectory.Path);
        harness.Security().Warning("x");
        await harness.Logger.DisposeAsync();

        var received = harness.Receiver.Events.Should().ContainSingle().Subject;
        received.GetString("dt.entity.process_group_instance").Should().Be("PROCESS_GROUP_INSTANCE-42");
        received.GetString("dt.entity.host").Should().Be("HOST-1");
        received.GetString("host.name").Should().Be("from-process");
    }

    [Fact]
    public async Task EnrichmentDirectoryNoneInAppSettingsTurnsEnrichmentOffEntirely()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var logger = AppSettings.CreateLogger($$"""
            {
              "Serilog": {
                "Using": [ "Serilog.Sinks.DynatraceSecurity" ],
                "WriteTo": [
                  {
                    "Name": "DynatraceSecurity",
                    "Args": {
                      "environmentUrl": "{{receiver.EnvironmentUrl}}",
                      "accessToken": "{{receiver.AccessToken}}",
                      "endpoint": "contoso.identity",
                      "enrichmentDirectory": "none"
                    }
                  }
                ]
              }
            }
            """);

        logger.ForSecurityEvent().Warning("x");
        await logger.DisposeAsync();

        var received = receiver.Events.Should().ContainSingle().Subject;
        received.Json.TryGetProperty("dt.entity.process_group_instance", out _).Should().BeFalse("\"none\" reads no file at all");
    }
}
