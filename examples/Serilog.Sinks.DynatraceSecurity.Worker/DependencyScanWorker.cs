using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.Examples.Worker;

/// <summary>
/// Scans a (made-up) list of dependencies once, reports each vulnerable one as a <c>VULNERABILITY_FINDING</c> and the
/// scan itself as a <c>VULNERABILITY_SCAN</c>, then stops the application.
/// </summary>
public sealed class DependencyScanWorker(ILogger<DependencyScanWorker> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    static readonly (string Package, string Version, string? Cve, double Score)[] Dependencies =
    {
        ("Contoso.Json", "12.0.1", "CVE-2024-0001", 7.5),
        ("Contoso.Http", "4.2.0", null, 0),
        ("Contoso.Xml", "1.0.3", "CVE-2023-4242", 9.8),
    };

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var scanId = Guid.NewGuid().ToString("N");
        logger.LogInformation("Scanning {Count} dependencies", Dependencies.Length); // not a security event

        var findings = 0;
        // Every security event of this scan is a dependency vulnerability in the scanned artifact (finding.type,
        // object.type, object.id) and carries the scan id, under Dynatrace's names.
        var artifact = new SecurityFinding(SecurityEventTypes.VulnerabilityFinding)
        {
            Type = "DEPENDENCY_VULNERABILITY",
            ObjectType = "CODE_ARTIFACT",
            ObjectId = "Contoso.Identity.Service",
        };
        using (logger.BeginSecurityScope(artifact, new Dictionary<string, object?>
               {
                   ["scan.id"] = scanId,
                   ["object.name"] = "Contoso.Identity.Service",
               }))
        {
            foreach (var (package, version, cve, score) in Dependencies)
            {
                if (cve == null)
                    continue;

                findings++;
                using (logger.BeginScope(new Dictionary<string, object?>
                       {
                           ["vulnerability.references.cve"] = new[] { cve },
                           ["finding.score"] = score,
                           ["finding.title"] = $"{cve} in {package}",
                       }))
                {
                    logger.Log(score >= 9 ? LogLevel.Critical : LogLevel.Error,
                        "Vulnerable dependency {Package} {Version}: {Cve}", package, version, cve);
                }
            }
        }

        logger.LogSecurityEvent(LogLevel.Information,
            new SecurityFinding(SecurityEventTypes.VulnerabilityScan) { ObjectType = artifact.ObjectType, ObjectId = artifact.ObjectId },
            "Dependency scan {ScanId} finished with {Findings} finding(s)", scanId, findings);

        lifetime.StopApplication();
        return Task.CompletedTask;
    }
}
