using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Serilog.Sinks.DynatraceSecurity.PackageTests.Support;

/// <summary>Where the repository is, and the version it ships (one place: the root Directory.Build.props).</summary>
internal static class RepositoryLayout
{
    public const string SolutionFileName = "Serilog.Sinks.DynatraceSecurity.sln";

    public static string Root { get; } = FindRoot();

    public static string ProjectFile(string projectName) =>
        Path.Combine(Root, "src", projectName, projectName + ".csproj");

    /// <summary>
    /// The shipped projects: every folder of src/ that holds a project of its own name (src/Directory.Build.props
    /// makes them all packable), ordered so that a project comes after the src/ projects it references.
    /// </summary>
    public static IReadOnlyList<ShippedProject> ShippedProjects()
    {
        var projects = Directory.GetDirectories(Path.Combine(Root, "src"))
            .Select(Path.GetFileName)
            .Where(name => name != null && File.Exists(ProjectFile(name)))
            .Select(name => new ShippedProject(name!, ReferencesOtherSourceProjects(ProjectFile(name!))))
            .OrderBy(project => project.ReferencesOtherSourceProjects)
            .ThenBy(project => project.Name, StringComparer.Ordinal)
            .ToArray();
        return projects;
    }

    public static string ConsumerTemplate(string consumerName) =>
        Path.Combine(Root, "tests", "Serilog.Sinks.DynatraceSecurity.PackageTests", "Consumers", consumerName);

    /// <summary>The <c>Version</c> property of the root Directory.Build.props.</summary>
    public static string ReadVersion()
    {
        var props = XDocument.Load(Path.Combine(Root, "Directory.Build.props"));
        var version = props.Descendants("Version").Select(element => element.Value.Trim()).FirstOrDefault();
        if (string.IsNullOrEmpty(version))
        {
            throw new InvalidOperationException("The root Directory.Build.props sets no <Version>.");
        }

        return version;
    }

    static bool ReferencesOtherSourceProjects(string projectFile) =>
        XDocument.Load(projectFile).Descendants().Any(element => element.Name.LocalName == "ProjectReference");

    static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No {SolutionFileName} above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A project of src/ that `dotnet pack` turns into a package of the same id.</summary>
internal sealed record ShippedProject(string Name, bool ReferencesOtherSourceProjects);
