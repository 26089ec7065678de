using System;
using System.IO;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using PublicApiGenerator;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests.Api;

public class PublicApiTests
{
    /// <summary>
    /// Locks the companion package's public surface. When this fails, compare the .received.txt file written next to
    /// the approved file and copy it over the approved file if the change is intended.
    /// </summary>
    [Fact]
    public void PublicApiIsApproved()
    {
        var api = typeof(DynatraceSecurityLoggingBuilderExtensions).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            AllowNamespacePrefixes = new[] { "Microsoft.Extensions.Logging" },
            ExcludeAttributes = new[]
            {
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
            },
        }).Replace("\r\n", "\n");

        const string name = "Serilog.Sinks.DynatraceSecurity.Extensions.Logging";
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "Api", name + ".approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).Replace("\r\n", "\n") : "";
        if (api != approved)
        {
            var sourceDirectory = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Api"));
            File.WriteAllText(Path.Combine(sourceDirectory, name + ".received.txt"), api);
        }

        api.Should().Be(approved, "the public API changed; review Api/*.received.txt and approve it if intended");
    }
}
