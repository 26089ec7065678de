using System;
using System.IO;
using System.Reflection;
using FluentAssertions;
using PublicApiGenerator;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Shared;

/// <summary>
/// Locks a package's public surface against <c>Api/{assembly}.approved.txt</c>: a change to it must be deliberate. On a
/// difference, <c>Api/{assembly}.received.txt</c> is written next to the approved file; copy it over the approved file
/// if the change is intended. Linked into every test project that owns a package.
/// </summary>
static class ApprovedApi
{
    public static void Verify(Assembly assembly)
    {
        var api = assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            // ILogger.BeginSecurityScope / LogSecurityEvent and AddSecurityEvents live there; the generator skips Microsoft.* by default.
            AllowNamespacePrefixes = new[] { "Microsoft.Extensions.Logging", "Microsoft.Extensions.DependencyInjection" },
            ExcludeAttributes = new[]
            {
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
            },
        }).Replace("\r\n", "\n");

        var name = assembly.GetName().Name!;
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "Api", name + ".approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).Replace("\r\n", "\n") : "";
        if (api != approved)
        {
            var sourceDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Api"));
            Directory.CreateDirectory(sourceDirectory);
            File.WriteAllText(Path.Combine(sourceDirectory, name + ".received.txt"), api);
        }

        api.Should().Be(approved, "the public API changed; review Api/*.received.txt and approve it if intended");
    }
}
