using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.PackageTests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Serilog.Sinks.DynatraceSecurity.PackageTests;

/// <summary>What `dotnet pack` puts into the packages: files, metadata, dependency ranges and symbols.</summary>
[Collection(PackedLibraryCollection.Name)]
public sealed class PackageContentsTests
{
    const string RepositoryUrl = "https://github.com/serilog-contrib/Serilog.Sinks.DynatraceSecurity";

    readonly PackedLibraryFixture _packed;

    public PackageContentsTests(PackedLibraryFixture packed, ITestOutputHelper output)
    {
        _packed = packed;
        output.WriteLine(packed.Summary);
    }

    /// <summary>Every project of src/ is a package.</summary>
    public static TheoryData<string> ShippedPackages => new(PackedLibraryFixture.PackageIds);

    [Theory]
    [MemberData(nameof(ShippedPackages))]
    public void Every_package_has_the_readme_the_licence_the_repository_the_release_notes_and_XML_documentation_for_each_assembly(string packageId)
    {
        var package = _packed.PackagePath(packageId);
        var entries = Entries(package);
        var metadata = Nuspec(package);

        entries.Should().Contain("README.md");
        // Each package carries its own short README (what nuget.org shows), not the repository's.
        var readme = Path.Combine(RepositoryLayout.Root, "src", packageId, "README.md");
        ReadEntry(package, "README.md").Should().Be(File.ReadAllText(readme), "the package carries its own README");
        var assemblies = entries.Where(entry => entry.StartsWith("lib/", StringComparison.Ordinal) && entry.EndsWith(".dll", StringComparison.Ordinal)).ToArray();
        assemblies.Should().NotBeEmpty();
        foreach (var assembly in assemblies)
        {
            entries.Should().Contain(Path.ChangeExtension(assembly, ".xml"), "IntelliSense needs the XML documentation next to {0}", assembly);
        }

        Value(metadata, "id").Should().Be(packageId);
        Value(metadata, "version").Should().Be(_packed.Version);
        Value(metadata, "description").Should().NotBeNullOrWhiteSpace();
        Element(metadata, "license").Attribute("type")?.Value.Should().Be("expression");
        Value(metadata, "license").Should().Be("Apache-2.0");
        Value(metadata, "readme").Should().Be("README.md");
        Value(metadata, "projectUrl").Should().Be(RepositoryUrl);
        Value(metadata, "releaseNotes").Should().Be(RepositoryUrl + "/blob/main/CHANGELOG.md");
        Element(metadata, "repository").Attribute("url")?.Value.Should().Be(RepositoryUrl);
        Element(metadata, "repository").Attribute("type")?.Value.Should().Be("git");
        Value(metadata, "tags").Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Contain(new[] { "serilog", "dynatrace", "security" });
        Element(metadata, "dependencies").Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => e.Attribute("id")?.Value)
            .Should().NotContain(id => id != null && id.StartsWith("Microsoft.SourceLink", StringComparison.Ordinal), "build-only tools are no dependency");
    }

    [Theory]
    [MemberData(nameof(ShippedPackages))]
    public void Every_package_has_a_symbol_package_with_a_portable_PDB_for_each_assembly(string packageId)
    {
        var symbols = _packed.SymbolPackagePath(packageId);
        var assemblies = Entries(_packed.PackagePath(packageId))
            .Where(entry => entry.StartsWith("lib/", StringComparison.Ordinal) && entry.EndsWith(".dll", StringComparison.Ordinal))
            .ToArray();

        File.Exists(symbols).Should().BeTrue($"{Path.GetFileName(symbols)} belongs next to the .nupkg; the feed holds: {string.Join(", ", Directory.GetFiles(_packed.FeedDirectory).Select(Path.GetFileName))}");
        var entries = Entries(symbols);
        foreach (var assembly in assemblies)
        {
            var pdb = Path.ChangeExtension(assembly, ".pdb");
            entries.Should().Contain(pdb);
            ReadBytes(symbols, pdb, 4).Should().Equal(new byte[] { (byte)'B', (byte)'S', (byte)'J', (byte)'B' }, "a portable PDB starts with the BSJB metadata signature");
        }
    }

    [Fact]
    public void The_sink_package_holds_exactly_netstandard2_0_and_net8_0_and_is_tagged_for_search()
    {
        var package = _packed.PackagePath(PackedLibraryFixture.SinkPackageId);

        Entries(package).Should().Contain(new[]
        {
            "lib/netstandard2.0/Serilog.Sinks.DynatraceSecurity.dll",
            "lib/netstandard2.0/Serilog.Sinks.DynatraceSecurity.xml",
            "lib/net8.0/Serilog.Sinks.DynatraceSecurity.dll",
            "lib/net8.0/Serilog.Sinks.DynatraceSecurity.xml",
        });
        Entries(package).Where(entry => entry.StartsWith("lib/", StringComparison.Ordinal))
            .Select(entry => entry.Split('/')[1]).Distinct()
            .Should().BeEquivalentTo(new[] { "netstandard2.0", "net8.0" }, "no other target framework is shipped");
        Value(Nuspec(package), "tags").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Should().Contain(new[] { "serilog", "dynatrace", "security", "siem", "openpipeline" });
    }

    [Fact]
    public void The_sink_package_depends_on_the_lowest_Serilog_it_supports_and_on_System_Text_Json_only_for_netstandard2_0()
    {
        var metadata = Nuspec(_packed.PackagePath(PackedLibraryFixture.SinkPackageId));
        var groups = Element(metadata, "dependencies").Elements().Where(e => e.Name.LocalName == "group").ToArray();

        groups.Select(group => group.Attribute("targetFramework")?.Value)
            .Should().BeEquivalentTo(new[] { ".NETStandard2.0", "net8.0" });
        foreach (var group in groups)
        {
            // A plain version in a nuspec means "this or later": 4.1.0 is the first Serilog with the failure-listener API.
            Dependency(group, "Serilog").Should().Be("4.1.0", "users must not be forced onto a newer Serilog than the sink needs");
        }

        Dependency(groups.Single(g => g.Attribute("targetFramework")?.Value == ".NETStandard2.0"), "System.Text.Json").Should().Be("8.0.5");
        Dependency(groups.Single(g => g.Attribute("targetFramework")?.Value == "net8.0"), "System.Text.Json")
            .Should().BeNull("net8.0 has System.Text.Json in the shared framework");
    }

    [Fact]
    public void The_companion_package_depends_on_exactly_its_own_version_of_the_sink_and_on_health_checks_8_0_0()
    {
        var metadata = Nuspec(_packed.PackagePath("Serilog.Sinks.DynatraceSecurity.Extensions.Logging"));
        var groups = Element(metadata, "dependencies").Elements().Where(e => e.Name.LocalName == "group").ToArray();

        groups.Select(group => group.Attribute("targetFramework")?.Value).Should().BeEquivalentTo(new[] { ".NETStandard2.0", "net8.0" });
        foreach (var group in groups)
        {
            // Its health check reads the sink's internals: another version of the sink would fail at run time.
            Dependency(group, PackedLibraryFixture.SinkPackageId).Should().Be($"[{_packed.Version}]");
            Dependency(group, "Microsoft.Extensions.Diagnostics.HealthChecks").Should().Be("8.0.0", "no ASP.NET Core: workers use the check too");
        }
    }

    [Fact]
    public void The_testing_package_holds_the_receiver_for_net8_0_with_the_ASP_NET_Core_framework_reference()
    {
        var package = _packed.PackagePath(PackedLibraryFixture.TestingPackageId);

        Entries(package).Should().Contain(new[]
        {
            "lib/net8.0/Serilog.Sinks.DynatraceSecurity.Testing.dll",
            "lib/net8.0/Serilog.Sinks.DynatraceSecurity.Testing.xml",
        });
        Element(Nuspec(package), "frameworkReferences").Descendants().Where(e => e.Name.LocalName == "frameworkReference")
            .Select(e => e.Attribute("name")?.Value)
            .Should().Contain("Microsoft.AspNetCore.App");
    }

    [Fact]
    public void The_AspNetCore_package_holds_net8_0_with_the_ASP_NET_Core_framework_reference_and_depends_on_the_sink_alone()
    {
        var package = _packed.PackagePath(PackedLibraryFixture.AspNetCorePackageId);
        var metadata = Nuspec(package);

        Entries(package).Where(entry => entry.StartsWith("lib/", StringComparison.Ordinal)).Should().BeEquivalentTo(new[]
        {
            "lib/net8.0/Serilog.Sinks.DynatraceSecurity.AspNetCore.dll",
            "lib/net8.0/Serilog.Sinks.DynatraceSecurity.AspNetCore.xml",
        }, "it runs on ASP.NET Core 8, 9 and 10 from one net8.0 assembly");
        Element(metadata, "frameworkReferences").Descendants().Where(e => e.Name.LocalName == "frameworkReference")
            .Select(e => e.Attribute("name")?.Value).Should().Equal("Microsoft.AspNetCore.App");
        var dependencies = Element(metadata, "dependencies").Descendants().Where(e => e.Name.LocalName == "dependency").ToArray();
        dependencies.Select(e => e.Attribute("id")?.Value).Should().Equal(new[] { PackedLibraryFixture.SinkPackageId },
            "no JwtBearer, Identity, Entity Framework or IdentityModel: the app brings what it uses");
        dependencies.Single().Attribute("version")?.Value.Should().Be(_packed.Version);
        ReadEntry(package, "README.md").Should().Contain("AddSecurityEvents()");
    }

    static string[] Entries(string package)
    {
        File.Exists(package).Should().BeTrue($"`dotnet pack` should have written {package}");
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(entry => entry.FullName).ToArray();
    }

    static string ReadEntry(string package, string name)
    {
        using var zip = ZipFile.OpenRead(package);
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    static byte[] ReadBytes(string package, string name, int count)
    {
        using var zip = ZipFile.OpenRead(package);
        using var stream = zip.GetEntry(name)!.Open();
        var buffer = new byte[count];
        stream.ReadExactly(buffer);
        return buffer;
    }

    static XElement Nuspec(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var nuspec = zip.Entries.Single(entry => !entry.FullName.Contains('/', StringComparison.Ordinal) && entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    static XElement Element(XElement metadata, string name)
    {
        var element = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name);
        element.Should().NotBeNull($"the nuspec should have <{name}>; it is:{Environment.NewLine}{metadata}");
        return element!;
    }

    static string Value(XElement metadata, string name) => Element(metadata, name).Value.Trim();

    static string? Dependency(XElement group, string id) =>
        group.Elements().SingleOrDefault(e => e.Name.LocalName == "dependency" && e.Attribute("id")?.Value == id)?.Attribute("version")?.Value;
}
