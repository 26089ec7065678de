using System;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>Matches request paths against the four OpenPipeline security-event ingest routes (ordinal, case-sensitive).</summary>
internal static class IngestRouteTable
{
    const string CustomSecurityEventsPrefix = "/platform/ingest/custom/security.events/";
    const string CustomEventsSecurityPrefix = "/platform/ingest/custom/events.security/";
    const string BuiltInSecurityEvents = "/platform/ingest/v1/security.events";
    const string BuiltInEventsSecurity = "/platform/ingest/v1/events.security";

    /// <summary>The route for <paramref name="path"/>, or null when no route matches.</summary>
    /// <remarks>A custom route needs exactly one segment after its prefix; an empty segment still matches
    /// (and is then rejected as an empty endpoint name), a further <c>/</c> does not.</remarks>
    public static IngestRouteMatch? Match(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        if (string.Equals(path, BuiltInSecurityEvents, StringComparison.Ordinal))
        {
            return new IngestRouteMatch(DynatraceIngestRouteKind.BuiltInSecurityEvents, null);
        }

        if (string.Equals(path, BuiltInEventsSecurity, StringComparison.Ordinal))
        {
            return new IngestRouteMatch(DynatraceIngestRouteKind.BuiltInEventsSecurityLegacy, null);
        }

        return MatchCustom(path, CustomSecurityEventsPrefix, DynatraceIngestRouteKind.CustomSecurityEvents)
            ?? MatchCustom(path, CustomEventsSecurityPrefix, DynatraceIngestRouteKind.CustomEventsSecurityLegacy);
    }

    static IngestRouteMatch? MatchCustom(string path, string prefix, DynatraceIngestRouteKind kind)
    {
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var endpoint = path.Substring(prefix.Length);
        return endpoint.Contains('/', StringComparison.Ordinal) ? null : new IngestRouteMatch(kind, endpoint);
    }
}
