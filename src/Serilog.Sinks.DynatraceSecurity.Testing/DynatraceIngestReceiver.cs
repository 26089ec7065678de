using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// A local Dynatrace OpenPipeline security-event ingest receiver for tests: a Kestrel server on
/// <c>http://127.0.0.1:{port}</c> that serves the four security-event ingest routes, enforces the documented contract
/// (routes and method, token, endpoint name, content type, size, JSON shape) and, by default, that each event carries the
/// fields Dynatrace's security apps need, records every request and every accepted
/// event, and can answer with scripted statuses, delays and dropped connections.
/// </summary>
/// <remarks>
/// <para>Contract, checked in this order:</para>
/// <list type="number">
/// <item><description>Path: <c>/platform/ingest/custom/security.events/{endpoint}</c>,
/// <c>/platform/ingest/custom/events.security/{endpoint}</c>, <c>/platform/ingest/v1/security.events</c> or
/// <c>/platform/ingest/v1/events.security</c>, else 404; method POST, else 405 (with <c>Allow: POST</c>).</description></item>
/// <item><description>A queued <see cref="ScriptedResponse"/>, if any (see there).</description></item>
/// <item><description><c>Authorization: Api-Token &lt;token&gt;</c> or <c>Bearer &lt;token&gt;</c> with an accepted token, else 401.</description></item>
/// <item><description>Custom endpoint name: ASCII letters, digits and dots, not empty, starting with a letter or digit, no
/// <c>..</c>, no trailing dot, else 400;
/// not one of <see cref="DynatraceIngestReceiverOptions.Endpoints"/> (when set), else 404.</description></item>
/// <item><description><c>Content-Type: application/json</c> (parameters allowed) and no compressed <c>Content-Encoding</c> (except gzip with <see cref="DynatraceIngestReceiverOptions.AcceptGzip"/>, decoded first), else 400 (not 415).</description></item>
/// <item><description>Body no larger than <see cref="DynatraceIngestReceiverOptions.MaxRequestBytes"/>, else 413.</description></item>
/// <item><description>Body strict UTF-8 JSON without a byte order mark: one object or an array of objects (an empty array is
/// accepted with no events), no duplicate property names in any object, else 400.</description></item>
/// <item><description>Each event carries the nine fields Dynatrace's Threats &amp; Exploits app needs (see
/// <see cref="DynatraceIngestReceiverOptions.RequireSecurityAppFields"/>; on by default), else 400 naming the missing ones;
/// then <see cref="DynatraceIngestReceiverOptions.ValidateEvent"/>, if set.</description></item>
/// <item><description>Otherwise 202 with no body, and each event is recorded.</description></item>
/// </list>
/// <para>Every error answer carries a Dynatrace <c>ErrorResponseEnvelope</c>,
/// <c>{"error":{"code":&lt;status&gt;,"message":"&lt;text&gt;"}}</c>, as <c>application/json</c>.</para>
/// <para>On the same host, <see cref="OAuthTokenPath"/> is an OAuth token endpoint like Dynatrace SSO's for the
/// client-credentials grant: a form POST with <c>grant_type=client_credentials</c>, <c>client_id</c>,
/// <c>client_secret</c>, <c>scope</c> and optionally <c>resource</c> gets a bearer token valid for
/// <see cref="DynatraceIngestReceiverOptions.OAuthTokenLifetime"/>, which the ingest routes accept until it expires or
/// is revoked (<see cref="RevokeToken"/>), if it carries the permission the route needs (else 403). Errors are answered
/// with <c>error</c> and <c>error_description</c>: 400 <c>invalid_request</c> (not a form),
/// <c>unsupported_grant_type</c> or <c>invalid_scope</c>, 401 <c>invalid_client</c>. Token requests are recorded in
/// <see cref="TokenRequests"/> and can be scripted (<see cref="EnqueueTokenResponse"/>).</para>
/// </remarks>
public sealed class DynatraceIngestReceiver : IAsyncDisposable, IDisposable
{
    /// <summary>A fake classic access token (<c>dt0c01.</c> prefix) that a receiver accepts by default. It is not a real token.</summary>
    public const string DefaultAccessToken = "dt0c01.LOCALRECEIVER.LOCALRECEIVERSECRETNOTAREALTOKEN000000000000000000000000000000";

    /// <summary>A fake OAuth client id that the token endpoint accepts by default. It is not a real client.</summary>
    public const string DefaultOAuthClientId = "dt0s02.LOCALRECEIVER";

    /// <summary>The fake client secret that goes with <see cref="DefaultOAuthClientId"/>. It is not a real secret.</summary>
    public const string DefaultOAuthClientSecret = "dt0s02.LOCALRECEIVER.LOCALRECEIVERCLIENTSECRETNOTAREALSECRET000000000000000";

    /// <summary>The path of the token endpoint, as on Dynatrace SSO: <c>/sso/oauth2/token</c>.</summary>
    public const string OAuthTokenPath = "/sso/oauth2/token";

    /// <summary>The permission an OAuth token needs on the custom-endpoint routes: <c>openpipeline:security.events.custom:ingest</c>.</summary>
    public const string CustomRoutesPermission = "openpipeline:security.events.custom:ingest";

    /// <summary>The permission an OAuth token needs on the built-in routes: <c>openpipeline:security.events:ingest</c>.</summary>
    public const string BuiltInRoutesPermission = "openpipeline:security.events:ingest";

    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    readonly CancellationTokenSource _shutdown = new();
    readonly ReceiverRecorder _recorder = new();
    readonly OAuthTokenIssuer _tokens;
    readonly IngestRequestHandler _ingest;
    readonly TokenRequestHandler _token;
    readonly WebApplication _app;
    int _disposed;

    DynatraceIngestReceiver(DynatraceIngestReceiverOptions settings)
    {
        _tokens = new OAuthTokenIssuer(settings.OAuthTokenLifetime);
        _ingest = new IngestRequestHandler(settings, _recorder, _tokens, _shutdown.Token);
        _token = new TokenRequestHandler(settings, _recorder, _tokens, _shutdown.Token);
        AccessToken = settings.AcceptedTokens[0];
        OAuthClientId = settings.OAuthClientId;
        OAuthClientSecret = settings.OAuthClientSecret;

        // Kestrel alone on a port the OS picks: no logging, configuration files, environment variables or file watchers.
        var builder = WebApplication.CreateEmptyBuilder(
            new WebApplicationOptions { ApplicationName = typeof(DynatraceIngestReceiver).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // the handlers enforce their own limits
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        _app = builder.Build();
        _app.Run(context => context.Request.Path.Equals(OAuthTokenPath, StringComparison.Ordinal)
            ? _token.HandleAsync(context)
            : _ingest.HandleAsync(context));
    }

    /// <summary>Starts a receiver on 127.0.0.1 with a free port chosen by the operating system.</summary>
    /// <param name="options">Settings; null for the defaults. A copy is taken, so later changes have no effect.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running receiver; dispose it to stop it.</returns>
    /// <exception cref="ArgumentException">The options are invalid (no token, an invalid endpoint name, a non-positive size limit).</exception>
    public static async Task<DynatraceIngestReceiver> StartAsync(DynatraceIngestReceiverOptions? options = null, CancellationToken cancellationToken = default)
    {
        var receiver = new DynatraceIngestReceiver((options ?? new DynatraceIngestReceiverOptions()).CheckedCopy());
        try
        {
            await receiver._app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
                .FirstOrDefault() ?? throw new InvalidOperationException("Kestrel did not report the address it listens on.");
            receiver.EnvironmentUrl = new Uri($"http://127.0.0.1:{new Uri(address).Port}");
            receiver.OAuthTokenUrl = new Uri(receiver.EnvironmentUrl, OAuthTokenPath);
            return receiver;
        }
        catch
        {
            await receiver._app.DisposeAsync().ConfigureAwait(false);
            receiver._shutdown.Dispose();
            throw;
        }
    }

    /// <summary>The environment base URL to give a client, <c>http://127.0.0.1:{port}</c> (no path).</summary>
    public Uri EnvironmentUrl { get; private set; } = null!;

    /// <summary>The first accepted token (by default <see cref="DefaultAccessToken"/>).</summary>
    public string AccessToken { get; }

    /// <summary>The token endpoint's URL, <c>http://127.0.0.1:{port}/sso/oauth2/token</c>, to give a client as its token URL.</summary>
    public Uri OAuthTokenUrl { get; private set; } = null!;

    /// <summary>The client id the token endpoint issues tokens to (by default <see cref="DefaultOAuthClientId"/>).</summary>
    public string OAuthClientId { get; }

    /// <summary>The client secret the token endpoint expects (by default <see cref="DefaultOAuthClientSecret"/>).</summary>
    public string OAuthClientSecret { get; }

    /// <summary>
    /// A snapshot of every request to the token endpoint, in the order they were answered (including dropped ones). Like
    /// <see cref="Requests"/>, a request is recorded just before its answer is sent.
    /// </summary>
    public IReadOnlyList<ReceivedTokenRequest> TokenRequests => _recorder.TokenRequests;

    /// <summary>
    /// A snapshot of every answered request, accepted or rejected (including dropped ones), in arrival order. A request is
    /// recorded just before its answer is sent, so once a client has its response the request is already here.
    /// </summary>
    public IReadOnlyList<ReceivedRequest> Requests => _recorder.Requests;

    /// <summary>
    /// A snapshot of every accepted event (from requests answered 2xx), in arrival order of their requests, then body
    /// order. Like <see cref="Requests"/>, events are recorded before the answer is sent.
    /// </summary>
    public IReadOnlyList<ReceivedEvent> Events => _recorder.Events;

    /// <summary>The number of scripted responses still queued.</summary>
    public int PendingScriptedResponses => _ingest.Script.Count;

    /// <summary>Completes when at least <paramref name="count"/> events have been accepted (since start or the last <see cref="Clear"/>).</summary>
    /// <param name="count">How many events to wait for.</param>
    /// <param name="timeout">How long to wait at most (positive, or <see cref="Timeout.InfiniteTimeSpan"/>).</param>
    /// <returns>A task that completes when the count is reached.</returns>
    /// <exception cref="TimeoutException">The count was not reached in time; the message says how many arrived and lists the last requests.</exception>
    /// <exception cref="ObjectDisposedException">The receiver was disposed.</exception>
    public Task WaitForEventsAsync(int count, TimeSpan timeout) => _recorder.WaitForEventsAsync(count, timeout);

    /// <summary>Completes when at least <paramref name="count"/> requests have been answered and recorded (since start or the last <see cref="Clear"/>).</summary>
    /// <param name="count">How many requests to wait for.</param>
    /// <param name="timeout">How long to wait at most (positive, or <see cref="Timeout.InfiniteTimeSpan"/>).</param>
    /// <returns>A task that completes when the count is reached.</returns>
    /// <exception cref="TimeoutException">The count was not reached in time; the message says how many arrived and lists the last requests.</exception>
    /// <exception cref="ObjectDisposedException">The receiver was disposed.</exception>
    public Task WaitForRequestsAsync(int count, TimeSpan timeout) => _recorder.WaitForRequestsAsync(count, timeout);

    /// <summary>
    /// Completes when at least <paramref name="count"/> requests have arrived (since start or the last <see cref="Clear"/>),
    /// including requests not answered yet, for example ones hanging on a scripted <see cref="ScriptedResponse.Delay"/>.
    /// Token requests count too. A request appears in <see cref="Requests"/> (or <see cref="TokenRequests"/>) only once
    /// it is answered.
    /// </summary>
    /// <param name="count">How many arrivals to wait for.</param>
    /// <param name="timeout">How long to wait at most (positive, or <see cref="Timeout.InfiniteTimeSpan"/>).</param>
    /// <returns>A task that completes when the count is reached.</returns>
    /// <exception cref="TimeoutException">The count was not reached in time.</exception>
    /// <exception cref="ObjectDisposedException">The receiver was disposed.</exception>
    public Task WaitForArrivalsAsync(int count, TimeSpan timeout) => _recorder.WaitForArrivalsAsync(count, timeout);

    /// <summary>Queues a scripted response: the next request on a known POST route takes the oldest queued one.</summary>
    /// <param name="response">The response to script.</param>
    public void EnqueueResponse(ScriptedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        _ingest.Script.Enqueue(response);
    }

    /// <summary>
    /// Queues a scripted answer for the token endpoint: the next token request takes the oldest queued one. It waits
    /// <see cref="ScriptedResponse.Delay"/>, then drops the connection (<see cref="ScriptedResponse.DropConnection"/>), or
    /// answers a status outside 2xx, or a 2xx with a <see cref="ScriptedResponse.Body"/>, as scripted (without a body, an
    /// error that fits the status: see <see cref="ScriptedResponse.OAuthError"/>); a 2xx without a body issues a token as
    /// usual, after the checks.
    /// </summary>
    /// <param name="response">The response to script.</param>
    public void EnqueueTokenResponse(ScriptedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        _token.Script.Enqueue(response);
    }

    /// <summary>Revokes an access token the token endpoint issued: the ingest routes answer it with 401 from now on.</summary>
    /// <param name="accessToken">The token, as in <see cref="ReceivedTokenRequest.IssuedToken"/>.</param>
    /// <returns>True when the token was issued here and not revoked before.</returns>
    public bool RevokeToken(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        return _tokens.Revoke(accessToken);
    }

    /// <summary>Revokes every access token the token endpoint has issued so far.</summary>
    /// <returns>How many tokens were revoked.</returns>
    public int RevokeIssuedTokens() => _tokens.RevokeAll();

    /// <summary>
    /// Forgets recorded requests, token requests, events and arrivals. Queued scripted responses stay queued (see
    /// <see cref="ClearScriptedResponses"/>); issued tokens stay valid.
    /// </summary>
    public void Clear() => _recorder.Clear();

    /// <summary>Removes every scripted response not used yet, for the ingest routes and the token endpoint.</summary>
    public void ClearScriptedResponses()
    {
        _ingest.Script.Clear();
        _token.Script.Clear();
    }

    /// <summary>
    /// Stops the server promptly: scripted delays are cut short, hanging requests are aborted, and pending waits fail with
    /// <see cref="ObjectDisposedException"/>. Recorded requests and events stay readable. Safe to call more than once.
    /// </summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _shutdown.Cancel();
        using (var stopTimeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Kestrel aborts connections still open when the stop timeout expires.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _recorder.Close();

        // _shutdown is deliberately not disposed: a request still finishing may link to its (cancelled) token.
    }

    /// <summary>Stops the server; see <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
