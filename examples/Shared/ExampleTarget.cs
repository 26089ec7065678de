// Shared by the examples (linked into each project): where an example sends its security events. An application does
// not need this; it configures the sink with its tenant's URL and token, as each example's Program.cs shows.

using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Serilog.Sinks.DynatraceSecurity.Testing;

namespace Serilog.Sinks.DynatraceSecurity.Examples;

/// <summary>
/// The tenant named by <c>DT_ENVIRONMENT_URL</c> (with <c>DT_ACCESS_TOKEN</c> and optionally <c>DT_ENDPOINT</c>), or,
/// when it is not set, the local ingest receiver from Serilog.Sinks.DynatraceSecurity.Testing, started here.
/// </summary>
sealed class ExampleTarget : IAsyncDisposable
{
    readonly DynatraceIngestReceiver? _receiver;

    ExampleTarget(string environmentUrl, string? accessToken, string? endpoint, DynatraceIngestReceiver? receiver)
    {
        EnvironmentUrl = environmentUrl;
        AccessToken = accessToken;
        Endpoint = endpoint;
        _receiver = receiver;
    }

    public string EnvironmentUrl { get; }

    /// <summary>The receiver's token; <c>null</c> for a tenant, so that the sink reads <c>DT_ACCESS_TOKEN</c> itself.</summary>
    public string? AccessToken { get; }

    /// <summary><c>DT_ENDPOINT</c> for a tenant; for the local receiver, the endpoint the example asked for.</summary>
    public string? Endpoint { get; }

    /// <param name="localEndpoint">The endpoint to use with the local receiver (<c>null</c>: the example's own
    /// configuration decides).</param>
    public static async Task<ExampleTarget> StartAsync(string? localEndpoint = null)
    {
        var environmentUrl = Environment.GetEnvironmentVariable("DT_ENVIRONMENT_URL");
        if (!string.IsNullOrWhiteSpace(environmentUrl))
        {
            var endpoint = Environment.GetEnvironmentVariable("DT_ENDPOINT");
            Console.WriteLine($"Sending security events to {environmentUrl}");
            return new ExampleTarget(environmentUrl, null, string.IsNullOrWhiteSpace(endpoint) ? null : endpoint, null);
        }

        var receiver = await DynatraceIngestReceiver.StartAsync();
        Console.WriteLine($"No DT_ENVIRONMENT_URL set: sending security events to the local receiver at {receiver.EnvironmentUrl}");
        return new ExampleTarget(receiver.EnvironmentUrl.ToString(), receiver.AccessToken, localEndpoint, receiver);
    }

    /// <summary>
    /// The sink's settings that point it here, as configuration keys under <paramref name="sectionPath"/>, to lay over
    /// appsettings.json the way user secrets or environment variables would. Keys left out keep their file values.
    /// </summary>
    public Dictionary<string, string?> AsConfiguration(string sectionPath)
    {
        var settings = new Dictionary<string, string?> { [sectionPath + ":environmentUrl"] = EnvironmentUrl };
        if (AccessToken != null)
            settings[sectionPath + ":accessToken"] = AccessToken;
        if (Endpoint != null)
            settings[sectionPath + ":endpoint"] = Endpoint;
        return settings;
    }

    /// <summary>Prints what the local receiver accepted (call after the logger is flushed), or where to find the events.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_receiver == null)
        {
            Console.WriteLine("Find them in Dynatrace: fetch security.events | sort timestamp desc");
            return;
        }

        Console.WriteLine($"The local receiver accepted {_receiver.Events.Count} security event(s):");
        foreach (var received in _receiver.Events)
            Console.WriteLine(received.ToString());
        await _receiver.DisposeAsync();
    }
}
