namespace Serilog.Sinks.DynatraceSecurity;

/// <summary>The <c>event.type</c> values Dynatrace accepts for ingested security events.</summary>
public static class SecurityEventTypes
{
    /// <summary>A detection finding, such as a suspicious login or an intrusion attempt.</summary>
    public const string DetectionFinding = "DETECTION_FINDING";

    /// <summary>A vulnerability finding in a component or host.</summary>
    public const string VulnerabilityFinding = "VULNERABILITY_FINDING";

    /// <summary>A completed vulnerability scan.</summary>
    public const string VulnerabilityScan = "VULNERABILITY_SCAN";

    /// <summary>A compliance finding, such as a failed configuration check.</summary>
    public const string ComplianceFinding = "COMPLIANCE_FINDING";

    /// <summary>A completed compliance scan.</summary>
    public const string ComplianceScanCompleted = "COMPLIANCE_SCAN_COMPLETED";
}
