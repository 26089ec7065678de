using System.Net.Http.Headers;
using System.Reflection;

namespace Serilog.Sinks.DynatraceSecurity.Http;

/// <summary>The <c>User-Agent</c> sent with every request: the package name and version.</summary>
internal static class UserAgent
{
    public const string ProductName = "Serilog.Sinks.DynatraceSecurity";

    public static readonly string Version = ReadVersion();

    public static ProductInfoHeaderValue Header => new(ProductName, Version);

    static string ReadVersion()
    {
        var assembly = typeof(UserAgent).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (!string.IsNullOrEmpty(informational))
        {
            var metadata = informational!.IndexOf('+');
            return metadata < 0 ? informational : informational.Substring(0, metadata);
        }

        return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    }
}
