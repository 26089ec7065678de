using System;
using System.Threading;
using Serilog.Debugging;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// Keeps keys out of the namespaces OpenPipeline reserves for itself (<c>dt.ingest.*</c>, <c>dt.openpipeline.*</c>,
/// <c>dt.retain.*</c>, <c>dt.system.*</c>; view-only there): such a key is written with <see cref="Prefix"/> in front,
/// so the value still arrives, under a name of the sink's own. Said once in SelfLog, the first time it happens.
/// </summary>
internal sealed class ReservedNamespaces
{
    public const string Prefix = "serilog.";

    static readonly string[] Namespaces = { "dt.ingest", "dt.openpipeline", "dt.retain", "dt.system" };

    int _reported;

    /// <summary>The key as written: <paramref name="key"/>, or with <see cref="Prefix"/> when it is reserved.</summary>
    public string WrittenName(string key)
    {
        if (!IsReserved(key))
            return key;

        if (Interlocked.Exchange(ref _reported, 1) == 0)
            SelfLog.WriteLine(
                "Serilog.Sinks.DynatraceSecurity: keys under Dynatrace's reserved namespaces (dt.ingest.*, dt.openpipeline.*, " +
                "dt.retain.*, dt.system.*) are sent with the prefix \"{0}\" (for example dt.ingest.source as {0}dt.ingest.source); " +
                "this is said once", Prefix);
        return Prefix + key;
    }

    /// <summary>Whether <paramref name="key"/> is a reserved namespace or lies under one (any case).</summary>
    public static bool IsReserved(string key)
    {
        // Nearly every key fails the first test.
        if (key.Length < 9 || (key[0] != 'd' && key[0] != 'D'))
            return false;

        foreach (var reserved in Namespaces)
        {
            if (key.StartsWith(reserved, StringComparison.OrdinalIgnoreCase) &&
                (key.Length == reserved.Length || key[reserved.Length] == '.'))
                return true;
        }

        return false;
    }
}
