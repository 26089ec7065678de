using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.PackageTests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Serilog.Sinks.DynatraceSecurity.PackageTests;

/// <summary>
/// The install path of a user: a fresh project outside the repository references the packages by version from a
/// local feed (no project reference), restores, builds and runs. Catches missing files, wrong target frameworks and
/// dependency mistakes that the project references of the other tests hide.
/// </summary>
[Collection(PackedLibraryCollection.Name)]
public sealed class PackageConsumerTests
{
    readonly PackedLibraryFixture _packed;
    readonly ITestOutputHelper _output;

    public PackageConsumerTests(PackedLibraryFixture packed, ITestOutputHelper output)
    {
        _packed = packed;
        _output = output;
        output.WriteLine(packed.Summary);
    }

    [Fact]
    public async Task A_console_app_configured_from_appsettings_json_delivers_a_security_event_to_the_local_receiver()
    {
        var consumer = _packed.CreateConsumer("AppSettingsConsumer");

        var run = await DotnetCli.RunAsync(new[] { "run", "--project", consumer.ProjectFile }, consumer.Directory, PackedLibraryFixture.CommandTimeout);
        _output.WriteLine(run.Describe());

        run.Succeeded.Should().BeTrue(run.Describe());
        run.Output.Should().Contain("The local receiver accepted 1 security event(s):", run.Describe());
        var eventLine = run.Output.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith('{'));
        using var received = JsonDocument.Parse(eventLine);
        var root = received.RootElement;
        root.GetProperty("event.kind").GetString().Should().Be("SECURITY_EVENT");
        root.GetProperty("event.type").GetString().Should().Be("DETECTION_FINDING");
        root.GetProperty("finding.severity").GetString().Should().Be("MEDIUM");
        root.GetProperty("event.description").GetString().Should().Be("Failed login for alice from 203.0.113.7");
        root.GetProperty("UserName").GetString().Should().Be("alice");
        root.GetProperty("event.provider").GetString().Should().Be("Contoso.Identity", "appsettings.json sets eventProvider");
        root.GetProperty("deployment.environment").GetString().Should().Be("package-test", "appsettings.json sets staticAttributes");

        var sink = RestoredPackage.Find(consumer.AssetsFile, PackedLibraryFixture.SinkPackageId);
        sink.Should().NotBeNull();
        sink!.Type.Should().Be("package", "the consumer must use the package, not a project");
        sink.Version.Should().Be(_packed.Version);
        sink.RuntimeAssets.Should().Equal(new[] { "lib/net8.0/Serilog.Sinks.DynatraceSecurity.dll" }, "a .NET 10 app takes the net8.0 assembly");
        var testing = RestoredPackage.Find(consumer.AssetsFile, PackedLibraryFixture.TestingPackageId);
        testing.Should().NotBeNull();
        testing!.Type.Should().Be("package");
        testing.Version.Should().Be(_packed.Version);
    }

    [Fact]
    public async Task A_generic_host_app_with_only_Microsoft_Extensions_Logging_delivers_through_the_companion_package()
    {
        var consumer = _packed.CreateConsumer("ExtensionsLoggingConsumer");

        var run = await DotnetCli.RunAsync(new[] { "run", "--project", consumer.ProjectFile }, consumer.Directory, PackedLibraryFixture.CommandTimeout);
        _output.WriteLine(run.Describe());

        run.Succeeded.Should().BeTrue(run.Describe());
        run.Output.Should().Contain("The local receiver accepted 2 security event(s):", run.Describe());
        var events = run.Output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        events.Should().HaveCount(2);
        events[0].GetProperty("event.description").GetString().Should().Be("Failed login for alice");
        events[0].GetProperty("actor.ips")[0].GetString().Should().Be("203.0.113.7", "the security scope's attributes arrive");
        events[0].GetProperty("finding.severity").GetString().Should().Be("MEDIUM");
        events[1].GetProperty("event.type").GetString().Should().Be("COMPLIANCE_FINDING");
        events[1].GetProperty("finding.severity").GetString().Should().Be("HIGH");

        var companion = RestoredPackage.Find(consumer.AssetsFile, "Serilog.Sinks.DynatraceSecurity.Extensions.Logging");
        companion.Should().NotBeNull();
        companion!.Type.Should().Be("package", "the consumer must use the package, not a project");
        companion.Version.Should().Be(_packed.Version);
        var sink = RestoredPackage.Find(consumer.AssetsFile, PackedLibraryFixture.SinkPackageId);
        sink.Should().NotBeNull("the companion package brings the sink in as a dependency");
        sink!.Version.Should().Be(_packed.Version);
    }

    [Fact]
    public async Task An_ASP_NET_Core_app_gets_zero_code_security_events_from_the_AspNetCore_package()
    {
        var consumer = _packed.CreateConsumer("AspNetCoreConsumer");

        var run = await DotnetCli.RunAsync(new[] { "run", "--project", consumer.ProjectFile }, consumer.Directory, PackedLibraryFixture.CommandTimeout);
        _output.WriteLine(run.Describe());

        run.Succeeded.Should().BeTrue(run.Describe());
        run.Output.Should().Contain("The local receiver accepted 1 security event(s):", run.Describe());
        var received = JsonDocument.Parse(run.Output.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith('{'))).RootElement;
        received.GetProperty("finding.type").GetString().Should().Be("excess_rate_limit_exceeded");
        received.GetProperty("object.id").GetString().Should().Be("GET /search");
        received.GetProperty("actor.ips")[0].GetString().Should().Be("127.0.0.1");

        var package = RestoredPackage.Find(consumer.AssetsFile, PackedLibraryFixture.AspNetCorePackageId);
        package.Should().NotBeNull();
        package!.Type.Should().Be("package", "the consumer must use the package, not a project");
        package.Version.Should().Be(_packed.Version);
        package.RuntimeAssets.Should().Equal(new[] { "lib/net8.0/Serilog.Sinks.DynatraceSecurity.AspNetCore.dll" });
        RestoredPackage.Find(consumer.AssetsFile, PackedLibraryFixture.SinkPackageId)!.Version.Should().Be(_packed.Version);
    }

    [Fact]
    public async Task A_net462_app_on_Serilog_4_1_0_compiles_against_the_netstandard2_0_assembly()
    {
        var consumer = _packed.CreateConsumer("NetFrameworkConsumer");

        var build = await DotnetCli.RunAsync(new[] { "build", consumer.ProjectFile, "-c", "Release" }, consumer.Directory, PackedLibraryFixture.CommandTimeout);
        _output.WriteLine(build.Describe());

        build.Succeeded.Should().BeTrue(build.Describe());
        build.Output.Should().NotContain("MSB3277",
            "an assembly of the package must not be compiled against a newer dependency than the package declares " +
            "(on .NET Framework that is a FileLoadException at run time); " + build.Describe());
        var sink = RestoredPackage.Find(consumer.AssetsFile, PackedLibraryFixture.SinkPackageId);
        sink.Should().NotBeNull();
        sink!.Type.Should().Be("package");
        sink.Version.Should().Be(_packed.Version);
        sink.CompileAssets.Should().Equal(new[] { "lib/netstandard2.0/Serilog.Sinks.DynatraceSecurity.dll" });
        RestoredPackage.Find(consumer.AssetsFile, "Serilog")!.Version.Should().Be("4.1.0", "the package accepts the lowest Serilog it supports");
    }
}
