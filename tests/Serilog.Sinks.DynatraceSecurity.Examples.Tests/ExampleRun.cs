using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Examples.Tests;

/// <summary>
/// Runs a built example as its own process (<c>dotnet Example.dll</c>) with no Dynatrace variables set, so it uses the
/// local receiver, and collects its output, exit code and the events it printed.
/// </summary>
sealed class ExampleRun
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    ExampleRun(int exitCode, string output)
    {
        ExitCode = exitCode;
        Output = output;
        Events = output.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("{\"timestamp\"", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
    }

    public int ExitCode { get; }
    public string Output { get; }

    /// <summary>The events the example printed as accepted by the local receiver.</summary>
    public IReadOnlyList<JsonElement> Events { get; }

    public static async Task<ExampleRun> StartAsync(string project, params string[] args)
    {
        var configuration = typeof(ExampleRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ExamplesConfiguration").Value;
        var directory = Path.Combine(RepositoryRoot(), "examples", project, "bin", configuration!, "net10.0");
        var assembly = Path.Combine(directory, project + ".dll");
        if (!File.Exists(assembly))
            throw new FileNotFoundException("The example is not built; build the solution first.", assembly);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var variable in new[] { "DT_ENVIRONMENT_URL", "DT_ACCESS_TOKEN", "DT_ENDPOINT" })
            start.Environment.Remove(variable);

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var readOut = ReadAllAsync(process.StandardOutput, output);
        var readErr = ReadAllAsync(process.StandardError, output);
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{project} did not exit within {Timeout.TotalSeconds} s. Output so far:\n{output}");
        }

        await Task.WhenAll(readOut, readErr);
        return new ExampleRun(process.ExitCode, output.ToString());
    }

    static async Task ReadAllAsync(StreamReader reader, StringBuilder output)
    {
        string? line;
        while ((line = await reader.ReadLineAsync()) != null)
        {
            lock (output)
                output.AppendLine(line);
        }
    }

    static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serilog.Sinks.DynatraceSecurity.sln")))
                return directory.FullName;
        }

        throw new DirectoryNotFoundException("Serilog.Sinks.DynatraceSecurity.sln was not found above " + AppContext.BaseDirectory);
    }
}
