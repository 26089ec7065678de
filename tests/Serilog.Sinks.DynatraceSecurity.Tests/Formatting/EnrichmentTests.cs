using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

/// <summary>
/// Dynatrace's enrichment files, in a temporary directory given as <c>enrichmentDirectory</c>: their attributes reach
/// every event over loopback HTTP, after the event's own properties and the static attributes.
/// </summary>
public class EnrichmentTests
{
    const string HostMetadata = """{ "dt.entity.host": "HOST-1234567890ABCDEF", "host.name": "web-01", "dt.host_group.id": "web", "cores": 8, "cloud": false, "ConnectionStrings": { "Db": "secret" }, "tags": [ "a" ] }""";
    const string WorkloadMetadata = """{ "k8s.pod.name": "login-7d9f", "host.name": "node-3", "dt.entity.kubernetes_cluster": "KUBERNETES_CLUSTER-ABC" }""";

    static async Task<ReceivedEvent> SendOne(string directory, Action<ILogger> log, Action<DynatraceSecuritySinkOptions>? configure = null)
    {
        await using var harness = await SinkHarness.StartAsync(o =>
        {
            o.EnrichmentDirectory = directory;
            configure?.Invoke(o);
        });
        log(harness.Security());
        await harness.Logger.DisposeAsync();
        harness.Fallback.Events.Should().BeEmpty();
        return harness.Receiver.Events.Should().ContainSingle().Subject;
    }

    [Fact]
    public async Task TheFilesAttributesReachEveryEventTheWorkloadsBeforeTheHosts()
    {
        using var directory = new TemporaryDirectory();
        directory.Write(EnrichmentFiles.HostFile, HostMetadata);
        directory.Write(EnrichmentFiles.WorkloadFile, WorkloadMetadata);

        var received = await SendOne(directory.Path, log => log.Warning("Failed login for {UserName}", "alice"));

        received.GetString("dt.entity.host").Should().Be("HOST-1234567890ABCDEF");
        received.GetString("dt.host_group.id").Should().Be("web");
        received.GetString("k8s.pod.name").Should().Be("login-7d9f");
        received.GetString("dt.entity.kubernetes_cluster").Should().Be("KUBERNETES_CLUSTER-ABC");
        received.GetString("host.name").Should().Be("node-3", "the workload's file is more specific than the host's");
        received.Json.GetProperty("cores").GetInt32().Should().Be(8, "numbers stay numbers");
        received.Json.GetProperty("cloud").GetBoolean().Should().BeFalse();
        received.Json.TryGetProperty("ConnectionStrings", out _).Should().BeFalse("the files are flat: nested values are not metadata");
        received.Json.TryGetProperty("tags", out _).Should().BeFalse();
        received.ToString().Should().NotContain("secret");
    }

    [Fact]
    public async Task AnEventPropertyBeatsAStaticAttributeBeatsEnrichmentBeatsTheDefault()
    {
        using var directory = new TemporaryDirectory();
        directory.Write(EnrichmentFiles.HostFile, """{ "host.name": "from-file", "deployment.environment": "from-file", "object.type": "HOST", "object.id": "from-file" }""");

        var received = await SendOne(directory.Path,
            log => log.ForContext("host.name", "from-property").Warning("x"),
            o => o.StaticAttributes = new Dictionary<string, string> { ["deployment.environment"] = "from-static", ["object.id"] = "from-static" });

        received.GetString("host.name").Should().Be("from-property");
        received.GetString("deployment.environment").Should().Be("from-static");
        received.GetString("object.id").Should().Be("from-static");
        received.GetString("object.type").Should().Be("HOST", "an enrichment attribute beats the sink's default");
    }

    [Fact]
    public async Task AMissingDirectoryOrFileIsSilent()
    {
        using var directory = new TemporaryDirectory();
        var missing = System.IO.Path.Combine(directory.Path, "not-there");
        directory.Write(EnrichmentFiles.HostFile, HostMetadata); // only the host file: the workload file is missing

        var withoutDirectory = await SendOne(missing, log => log.Warning("x"));
        var withHostOnly = await SendOne(directory.Path, log => log.Warning("x"));

        withoutDirectory.Json.TryGetProperty("dt.entity.host", out _).Should().BeFalse();
        withHostOnly.GetString("dt.entity.host").Should().Be("HOST-1234567890ABCDEF");
        SelfLogCapture.Containing(directory.Path).Should().BeEmpty("a missing file or directory is normal");
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[ \"an\", \"array\" ]")]
    public async Task AMalformedFileCostsOneSelfLogLineAndTheOtherFileStillCounts(string content)
    {
        using var directory = new TemporaryDirectory();
        var malformed = directory.Write(EnrichmentFiles.WorkloadFile, content);
        directory.Write(EnrichmentFiles.HostFile, HostMetadata);

        var received = await SendOne(directory.Path, log => log.Warning("x"));

        received.GetString("dt.entity.host").Should().Be("HOST-1234567890ABCDEF");
        SelfLogCapture.Containing(malformed).Should().ContainSingle()
            .Which.Should().Contain("is not a JSON object of attributes").And.NotContain("not json");
    }

    [Fact]
    public async Task TheFilesAreReadOnceWhenTheSinkStarts()
    {
        using var directory = new TemporaryDirectory();
        var file = directory.Write(EnrichmentFiles.HostFile, HostMetadata);
        await using var harness = await SinkHarness.StartAsync(o => o.EnrichmentDirectory = directory.Path);

        System.IO.File.WriteAllText(file, """{ "dt.entity.host": "HOST-CHANGED" }""");
        harness.Security().Warning("x");
        await harness.Logger.DisposeAsync();

        harness.Receiver.Events.Should().ContainSingle().Which.GetString("dt.entity.host").Should().Be("HOST-1234567890ABCDEF");
    }

    [Fact]
    public async Task TheDirectoryComesFromAppSettingsJson()
    {
        using var directory = new TemporaryDirectory();
        directory.Write(EnrichmentFiles.HostFile, HostMetadata);
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
                      "enrichmentDirectory": {{System.Text.Json.JsonSerializer.Serialize(directory.Path)}}
                    }
                  }
                ]
              }
            }
            """);

        logger.ForSecurityEvent().Warning("x");
        await logger.DisposeAsync();

        receiver.Events.Should().ContainSingle().Which.GetString("dt.entity.host").Should().Be("HOST-1234567890ABCDEF");
    }

    [Fact]
    public void TheDefaultDirectoryIsDynatracesForThePlatform()
    {
        var expected = OperatingSystem.IsWindows()
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "dynatrace", "enrichment")
            : "/var/lib/dynatrace/enrichment";

        EnrichmentFiles.DefaultDirectory.Should().Be(expected);
    }
}
