using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.PackageTests.Support;

/// <summary>The tests that share one pack of the libraries; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackedLibraryCollection : ICollectionFixture<PackedLibraryFixture>
{
    public const string Name = "packed library";
}

/// <summary>
/// Packs every shipped project of src/ once, from the working tree, into a temporary local feed, under a version no
/// earlier run used (<c>{Version from Directory.Build.props}-packagetest.{UTC time}</c>): a package of the same id
/// and version left in any NuGet cache can never stand in for the fresh one.
/// </summary>
/// <remarks>
/// Everything goes into one temporary folder outside the repository (deleted afterwards unless
/// <c>PACKAGE_TESTS_KEEP=1</c>): the build output of the pack (<c>--artifacts-path</c>, so it never touches the
/// obj/ and bin/ folders of concurrent builds in the repository), the feed, the consumer projects and the NuGet
/// package folder the consumers restore into.
/// </remarks>
public sealed class PackedLibraryFixture : IAsyncLifetime
{
    public const string SinkPackageId = "Serilog.Sinks.DynatraceSecurity";
    public const string TestingPackageId = "Serilog.Sinks.DynatraceSecurity.Testing";
    public const string AspNetCorePackageId = "Serilog.Sinks.DynatraceSecurity.AspNetCore";

    /// <summary>The ids of the shipped packages: one per project of src/.</summary>
    public static IReadOnlyList<string> PackageIds { get; } = RepositoryLayout.ShippedProjects().Select(project => project.Name).ToArray();

    /// <summary>The most one dotnet command (pack, run, build) may take before it is killed and the test fails.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    const string VersionPlaceholder = "{{SinkPackageVersion}}";

    public PackedLibraryFixture()
    {
        BaseVersion = RepositoryLayout.ReadVersion();
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        Version = BaseVersion + (BaseVersion.Contains('-', StringComparison.Ordinal) ? "." : "-") + "packagetest." + stamp;
        WorkDirectory = Path.Combine(Path.GetTempPath(), "dtsec-package-tests-" + Guid.NewGuid().ToString("N").Substring(0, 12));
    }

    /// <summary>The version of the root Directory.Build.props.</summary>
    public string BaseVersion { get; }

    /// <summary>The version the packages were packed with, unique to this run.</summary>
    public string Version { get; }

    public string WorkDirectory { get; }

    public string FeedDirectory => Path.Combine(WorkDirectory, "feed");

    /// <summary>One line on what was packed, for the test log (a failed pack throws with the whole output).</summary>
    public string Summary { get; private set; } = string.Empty;

    /// <summary>Where a consumer's NuGet packages are restored to (never the machine's global package folder).</summary>
    public string ConsumerPackagesDirectory => Path.Combine(WorkDirectory, "packages");

    string NuGetConfig { get; set; } = string.Empty;

    public string PackagePath(string packageId) => Path.Combine(FeedDirectory, $"{packageId}.{Version}.nupkg");

    public string SymbolPackagePath(string packageId) => Path.Combine(FeedDirectory, $"{packageId}.{Version}.snupkg");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(FeedDirectory);
        RefuseInheritedBuildSettings(WorkDirectory);

        var stopwatch = Stopwatch.StartNew();
        var projects = RepositoryLayout.ShippedProjects();

        // Projects that stand alone are packed side by side; one that references another src/ project builds that
        // one too, into the same artifacts folder, so it goes afterwards, alone.
        var standalone = await Task.WhenAll(projects.Where(p => !p.ReferencesOtherSourceProjects).Select(PackAsync)).ConfigureAwait(false);
        var results = new List<DotnetResult>(standalone);
        foreach (var dependent in projects.Where(p => p.ReferencesOtherSourceProjects))
        {
            results.Add(await PackAsync(dependent).ConfigureAwait(false));
        }

        var failed = results.FirstOrDefault(result => !result.Succeeded);
        if (failed != null)
        {
            throw new InvalidOperationException("Packing failed: " + failed.Describe());
        }

        Summary = $"Packed {string.Join(", ", PackageIds)} {Version} into {FeedDirectory} in {stopwatch.Elapsed.TotalSeconds:F1} s.";

        NuGetConfig = await BuildNuGetConfigAsync().ConfigureAwait(false);
    }

    Task<DotnetResult> PackAsync(ShippedProject project) =>
        DotnetCli.RunAsync(
            new[]
            {
                "pack", RepositoryLayout.ProjectFile(project.Name), "-c", "Release", "-o", FeedDirectory,
                "--artifacts-path", Path.Combine(WorkDirectory, "artifacts"), "-p:Version=" + Version,
            },
            RepositoryLayout.Root,
            CommandTimeout);

    public Task DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("PACKAGE_TESTS_KEEP") != "1")
        {
            try
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it is in the temporary folder.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Copies a consumer project from Consumers/ into a fresh folder of its own, fills in the package version and gives
    /// it a nuget.config: the local feed plus the sources this machine normally uses.
    /// </summary>
    public ConsumerProject CreateConsumer(string templateName)
    {
        var target = Path.Combine(WorkDirectory, "consumers", templateName);
        Directory.CreateDirectory(target);
        var template = RepositoryLayout.ConsumerTemplate(templateName);
        foreach (var source in Directory.GetFiles(template))
        {
            var name = Path.GetFileName(source);
            var text = File.ReadAllText(source);
            if (name.EndsWith(".csproj.template", StringComparison.Ordinal))
            {
                name = templateName + ".csproj";
                text = text.Replace(VersionPlaceholder, Version, StringComparison.Ordinal);
            }

            File.WriteAllText(Path.Combine(target, name), text);
        }

        File.WriteAllText(Path.Combine(target, "nuget.config"), NuGetConfig);
        return new ConsumerProject(target, Path.Combine(target, templateName + ".csproj"));
    }

    // A global.json, Directory.Build.* or Directory.Packages.props above the temporary folder would change how the
    // consumers build; a user's fresh project has none.
    static void RefuseInheritedBuildSettings(string workDirectory)
    {
        string[] names = { "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "NuGet.Config", "nuget.config" };
        for (var directory = new DirectoryInfo(workDirectory).Parent; directory != null; directory = directory.Parent)
        {
            foreach (var name in names)
            {
                var path = Path.Combine(directory.FullName, name);
                if (File.Exists(path))
                {
                    throw new InvalidOperationException(
                        $"{path} would be picked up by the consumer projects under {workDirectory}; move it, or set TMPDIR to a clean folder.");
                }
            }
        }
    }

    async Task<string> BuildNuGetConfigAsync()
    {
        // The sources this machine's effective configuration has, as `dotnet nuget list source` in the repository
        // shows them (a user's machine-wide and user-wide configuration, plus any the repository adds).
        var list = await DotnetCli.RunAsync(new[] { "nuget", "list", "source", "--format", "Detailed" }, RepositoryLayout.Root, CommandTimeout).ConfigureAwait(false);
        if (!list.Succeeded)
        {
            throw new InvalidOperationException("Could not list the NuGet sources: " + list.Describe());
        }

        var sources = new List<(string Name, string Url)>();
        var lines = list.Output.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        var header = new Regex(@"^\s*\d+\.\s+(?<name>.+?)\s+\[Enabled\]\s*$");
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            var match = header.Match(lines[i]);
            if (match.Success)
            {
                sources.Add((match.Groups["name"].Value, lines[i + 1].Trim()));
            }
        }

        if (sources.Count == 0)
        {
            throw new InvalidOperationException("`dotnet nuget list source` showed no enabled source:" + Environment.NewLine + list.Output);
        }

        // Packages already on this machine are taken from its global package folder as a read-only fallback, so the
        // consumers restore quickly without writing into it; everything else, and the fresh packages, land in
        // ConsumerPackagesDirectory.
        var locals = await DotnetCli.RunAsync(new[] { "nuget", "locals", "global-packages", "--list" }, RepositoryLayout.Root, CommandTimeout).ConfigureAwait(false);
        var globalFolder = Regex.Match(locals.Output, @"global-packages:\s*(?<path>\S.*?)\s*$", RegexOptions.Multiline);
        var fallback = locals.Succeeded && globalFolder.Success && Directory.Exists(globalFolder.Groups["path"].Value)
            ? globalFolder.Groups["path"].Value
            : null;

        const string localFeed = "local-test-feed";
        var config = new StringBuilder();
        config.AppendLine("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        config.AppendLine("<configuration>");
        config.AppendLine("  <config>");
        config.AppendLine($"    <add key=\"globalPackagesFolder\" value=\"{Escape(ConsumerPackagesDirectory)}\" />");
        config.AppendLine("  </config>");
        if (fallback != null)
        {
            config.AppendLine("  <fallbackPackageFolders>");
            config.AppendLine($"    <add key=\"machine\" value=\"{Escape(fallback)}\" />");
            config.AppendLine("  </fallbackPackageFolders>");
        }

        config.AppendLine("  <packageSources>");
        config.AppendLine("    <clear />");
        config.AppendLine($"    <add key=\"{localFeed}\" value=\"{Escape(FeedDirectory)}\" />");
        foreach ((var name, var url) in sources)
        {
            config.AppendLine($"    <add key=\"{Escape(name)}\" value=\"{Escape(url)}\" />");
        }

        config.AppendLine("  </packageSources>");

        // Our packages come from the local feed only, everything else from the usual sources.
        config.AppendLine("  <packageSourceMapping>");
        config.AppendLine($"    <packageSource key=\"{localFeed}\">");
        foreach (var id in PackageIds)
        {
            config.AppendLine($"      <package pattern=\"{id}\" />");
        }

        config.AppendLine("    </packageSource>");
        foreach ((var name, _) in sources)
        {
            config.AppendLine($"    <packageSource key=\"{Escape(name)}\">");
            config.AppendLine("      <package pattern=\"*\" />");
            config.AppendLine("    </packageSource>");
        }

        config.AppendLine("  </packageSourceMapping>");
        config.AppendLine("</configuration>");
        return config.ToString();
    }

    static string Escape(string value) => SecurityElement.Escape(value) ?? string.Empty;
}

/// <summary>A consumer project in its own folder.</summary>
public sealed record ConsumerProject(string Directory, string ProjectFile)
{
    public string AssetsFile => Path.Combine(Directory, "obj", "project.assets.json");
}
