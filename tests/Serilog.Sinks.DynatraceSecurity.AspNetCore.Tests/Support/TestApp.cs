using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity;
using Serilog.Sinks.DynatraceSecurity.Testing;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;

/// <summary>
/// A real <see cref="WebApplication"/> on Kestrel at http://127.0.0.1:0 whose security events go through the sink
/// (<c>AddDynatraceSecurity</c>) to its own local receiver. Stop it before reading what the receiver accepted: that
/// writes the open flood-control summaries and delivers the queue.
/// </summary>
sealed class TestApp : IAsyncDisposable
{
    readonly WebApplication _app;
    bool _stopped;

    TestApp(WebApplication app, DynatraceIngestReceiver receiver, CapturedLogs logs)
    {
        _app = app;
        Receiver = receiver;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // Redirects and cookies stay visible: every 302 and every cookie is the test's to see and send.
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(address) };
    }

    public DynatraceIngestReceiver Receiver { get; }

    /// <summary>Everything the app logged through Microsoft.Extensions.Logging (the package's startup warnings, ...).</summary>
    public CapturedLogs Logs { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds the app (services, then the pipeline), starts it and its receiver.</summary>
    public static async Task<TestApp> StartAsync(Action<WebApplicationBuilder> services, Action<WebApplication> pipeline,
        Func<WebApplication, Task>? seed = null, Action<DynatraceSecuritySinkOptions>? sink = null)
    {
        var receiver = await DynatraceIngestReceiver.StartAsync();
        var logs = new CapturedLogs();
        var builder = CreateBuilder(receiver, logs, sink);
        services(builder);
        var app = builder.Build();
        pipeline(app);
        if (seed != null)
            await seed(app);
        await app.StartAsync();
        return new TestApp(app, receiver, logs);
    }

    /// <summary>A builder with the sink pointed at <paramref name="receiver"/>, logs captured, Kestrel on a free port.</summary>
    public static WebApplicationBuilder CreateBuilder(DynatraceIngestReceiver receiver, CapturedLogs logs, Action<DynatraceSecuritySinkOptions>? sink = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(TestApp).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.AddDynatraceSecurity(o =>
        {
            o.EnvironmentUrl = receiver.EnvironmentUrl.ToString();
            o.AccessToken = receiver.AccessToken;
            o.Endpoint = "contoso.web";
            o.EventProvider = "Contoso.Web";
            o.BufferingTimeLimit = TimeSpan.FromMilliseconds(50);
            sink?.Invoke(o);
        });
        return builder;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? from = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (from != null)
            request.Headers.Add("X-Forwarded-For", from);
        foreach (var header in headers ?? Array.Empty<KeyValuePair<string, string>>())
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? from = null, string? bearer = null, string? cookie = null)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (bearer != null)
            headers.Add(new("Authorization", "Bearer " + bearer));
        if (cookie != null)
            headers.Add(new("Cookie", cookie));
        return SendAsync(HttpMethod.Get, path, from, headers);
    }

    /// <summary>Stops the app (writing open summaries), disposes it (delivering the sink's queue); idempotent.</summary>
    public async Task<IReadOnlyList<ReceivedEvent>> StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        return Receiver.Events;
    }

    /// <summary>Every request body the sink sent, as text: what must never hold a secret.</summary>
    public string AllSentText() =>
        string.Join("\n", Receiver.Requests.Select(r => Encoding.UTF8.GetString(r.Body)));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await Receiver.DisposeAsync();
    }
}
