using System;
using System.IO;
using FluentAssertions;
using PublicApiGenerator;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Api;

public class PublicApiTests
{
    /// <summary>
    /// Locks the public surface: a change to it must be deliberate. When this fails, compare the .received.txt
    /// file written next to the approved file and copy it over the approved file if the change is intended.
    /// </summary>
    [Fact]
    public void PublicApiIsApproved()
    {
        var assembly = typeof(DynatraceSecuritySinkOptions).Assembly;
        var api = assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            // ILogger.BeginSecurityScope / LogSecurityEvent live there; the generator skips Microsoft.* by default.
            AllowNamespacePrefixes = new[] { "Microsoft.Extensions.Logging" },
            ExcludeAttributes = new[]
            {
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
            },
        }).Replace("\r\n", "\n");

        var approvedPath = Path.Combine(AppContext.BaseDirectory, "Api", "Serilog.Sinks.DynatraceSecurity.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).Replace("\r\n", "\n") : "";
        if (api != approved)
        {
            var sourceDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Api"));
            File.WriteAllText(Path.Combine(sourceDirectory, "Serilog.Sinks.DynatraceSecurity.received.txt"), api);
        }

        api.Should().Be(approved, "the public API changed; review Api/*.received.txt and approve it if intended");
    }
}
