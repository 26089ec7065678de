using System;
using System.Diagnostics;
using System.Reflection;

namespace Serilog.Sinks.DynatraceSecurity.Formatting;

/// <summary>
/// The name the sink gives the application when <c>eventProvider</c> is not set: the entry assembly's name, or, where
/// there is no entry assembly (a host such as IIS or a test runner started the process), the process name.
/// </summary>
internal static class ApplicationName
{
    public static string Resolve()
    {
        var entry = Assembly.GetEntryAssembly()?.GetName().Name;
        if (!string.IsNullOrWhiteSpace(entry))
            return entry!;

        try
        {
            using var process = Process.GetCurrentProcess();
            if (!string.IsNullOrWhiteSpace(process.ProcessName))
                return process.ProcessName;
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or InvalidOperationException)
        {
            // Some platforms (browser WebAssembly) have no process to name.
        }

        return "dotnet";
    }
}
