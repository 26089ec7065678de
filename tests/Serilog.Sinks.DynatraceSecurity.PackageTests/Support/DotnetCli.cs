using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.PackageTests.Support;

/// <summary>The outcome of one <c>dotnet</c> command.</summary>
internal sealed record DotnetResult(string Command, int ExitCode, bool TimedOut, TimeSpan Duration, string Output)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>Everything about the run, for a failure message.</summary>
    public string Describe() =>
        $"`{Command}` {(TimedOut ? "timed out" : $"exited with {ExitCode}")} after {Duration.TotalSeconds:F1} s. Output:{Environment.NewLine}{Output}";
}

/// <summary>Runs the installed <c>dotnet</c> as a user would from a shell, with a time limit.</summary>
internal static class DotnetCli
{
    // Set by `dotnet test` / MSBuild for their own child processes; inherited, they would make the child build use the
    // parent's MSBuild instead of resolving its own, which is not what a user's shell does.
    static readonly string[] InheritedVariablePrefixes = { "MSBuild", "MSBUILD", "VSTEST", "TESTINGPLATFORM", "DOTNET_HOST_PATH" };

    public static async Task<DotnetResult> RunAsync(
        IReadOnlyList<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.ToList())
        {
            if (InheritedVariablePrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // leave no MSBuild nodes behind
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        if (environment != null)
        {
            foreach (var variable in environment)
            {
                start.Environment[variable.Key] = variable.Value;
            }
        }

        var command = "dotnet " + string.Join(" ", arguments);
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        LowerPriority(process);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var limit = new CancellationTokenSource(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended just now.
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        process.WaitForExit(); // drains the redirected output
        stopwatch.Stop();
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        return new DotnetResult(command, timedOut ? -1 : process.ExitCode, timedOut, stopwatch.Elapsed, text);
    }

    // `dotnet test` runs the test assemblies side by side; packing and building here must not starve the timing-sensitive
    // tests of the other assemblies on a small machine. Children (MSBuild nodes, the compiler) inherit the priority.
    static void LowerPriority(Process process)
    {
        try
        {
            process.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or PlatformNotSupportedException)
        {
            // Already ended, or not allowed here: run at normal priority.
        }
    }

    static void Append(StringBuilder output, string? line)
    {
        if (line == null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
