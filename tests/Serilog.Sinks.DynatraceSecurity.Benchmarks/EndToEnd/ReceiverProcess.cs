using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks.EndToEnd;

/// <summary>What the harness needs from a receiver: where it listens, and what it counted since the last reset.</summary>
interface IReceiver : IAsyncDisposable
{
    Uri BaseUrl { get; }

    Task ResetAsync();

    Task<ReceiverCounts> CountsAsync();
}

readonly record struct ReceiverCounts(long Requests, long Bytes, long Events);

/// <summary>
/// The counting receiver in a process of its own (this program run with <c>--receiver</c>), so that reading the
/// request bodies costs the measured application nothing: its CPU time is the sink's alone. Counts and resets go over
/// the receiver's control routes, only between runs.
/// </summary>
sealed class ReceiverProcess : IReceiver
{
    const string Ready = "LISTENING ";

    readonly Process _process;
    readonly HttpClient _control = new();

    ReceiverProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<ReceiverProcess> StartAsync()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, "--receiver")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync()) != null && !line.StartsWith(Ready, StringComparison.Ordinal))
        {
        }

        if (line == null)
            throw new InvalidOperationException("The receiver process ended before it listened.");
        return new ReceiverProcess(process, new Uri(line.Substring(Ready.Length)));
    }

    /// <summary>The child's side: serve until the parent closes standard input (or dies).</summary>
    public static async Task<int> RunChildAsync()
    {
        await using var receiver = await CountingReceiver.StartAsync();
        Console.WriteLine(Ready + receiver.BaseUrl);
        await Console.In.ReadToEndAsync();
        return 0;
    }

    public async Task ResetAsync() =>
        (await _control.PostAsync(new Uri(BaseUrl, CountingReceiver.ResetPath), null)).EnsureSuccessStatusCode();

    public async Task<ReceiverCounts> CountsAsync()
    {
        var parts = (await _control.GetStringAsync(new Uri(BaseUrl, CountingReceiver.CountsPath))).Split(' ');
        return new ReceiverCounts(
            long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        _process.StandardInput.Close();
        if (!_process.WaitForExit(5000))
            _process.Kill();
        await Task.CompletedTask;
        _process.Dispose();
    }
}
