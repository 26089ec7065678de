using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Microsoft.AspNetCore.WebUtilities;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// A response scripted with <see cref="DynatraceIngestReceiver.EnqueueResponse"/>: the next request on a known route
/// (after the 404/405 route checks) takes the next scripted response, first in, first out.
/// </summary>
/// <remarks>
/// <para>The receiver first waits <see cref="Delay"/> (cut short when the client aborts the request or the receiver is
/// disposed; the connection is then aborted and the request recorded with status 0). Then:</para>
/// <list type="bullet">
/// <item><description><see cref="DropConnection"/>: the connection is aborted without an answer (status 0).</description></item>
/// <item><description>a <see cref="StatusCode"/> outside 2xx: answered as is, with <see cref="RetryAfter"/> and
/// <see cref="Body"/> (or, when <see cref="Body"/> is null and the status is 400 or more, a Dynatrace
/// <c>ErrorResponseEnvelope</c>); no contract checks run and no events are recorded.</description></item>
/// <item><description>a 2xx <see cref="StatusCode"/>: the request goes through the normal contract checks (token,
/// endpoint, content type, size, JSON); if they pass, it is answered with this status code (plus <see cref="RetryAfter"/>
/// and <see cref="Body"/> when set) instead of the plain 202, and its events are recorded.</description></item>
/// </list>
/// </remarks>
public sealed class ScriptedResponse
{
    readonly int _statusCode = 202;
    readonly TimeSpan _delay;
    readonly string? _retryAfter;
    readonly string? _location;

    /// <summary>The HTTP status code to answer, 200 to 599. Default 202.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 200–599.</exception>
    public int StatusCode
    {
        get => _statusCode;
        init
        {
            if (value < 200 || value > 599)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A scripted status code must be between 200 and 599.");
            }

            _statusCode = value;
        }
    }

    /// <summary>
    /// The raw <c>Retry-After</c> header value to send (delta seconds or an HTTP date), or null for none. It is sent as
    /// is, so a deliberately malformed value can be scripted; it must not contain control characters.
    /// </summary>
    /// <exception cref="ArgumentException">The value contains a control character (such as CR or LF).</exception>
    public string? RetryAfter
    {
        get => _retryAfter;
        init => _retryAfter = WithoutControlCharacters(value, "Retry-After");
    }

    /// <summary>
    /// The raw <c>Location</c> header value to send, or null for none: with a 3xx <see cref="StatusCode"/> it scripts a
    /// redirect (for example to a second receiver, to check that a client does not follow it).
    /// </summary>
    /// <exception cref="ArgumentException">The value contains a control character (such as CR or LF).</exception>
    public string? Location
    {
        get => _location;
        init => _location = WithoutControlCharacters(value, "Location");
    }

    /// <summary>
    /// The raw response body, or null. When null and <see cref="StatusCode"/> is 400 or more, the receiver writes a
    /// Dynatrace <c>ErrorResponseEnvelope</c> (<c>{"error":{"code":..,"message":".."}}</c>).
    /// </summary>
    public string? Body { get; init; }

    /// <summary>The <c>Content-Type</c> sent with <see cref="Body"/>; null means <c>application/json</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// How long to wait before answering (zero by default; <see cref="Timeout.InfiniteTimeSpan"/> waits until the client
    /// gives up or the receiver is disposed). The wait ends early when the request is aborted or the receiver is disposed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public TimeSpan Delay
    {
        get => _delay;
        init
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A scripted delay must not be negative.");
            }

            _delay = value;
        }
    }

    /// <summary>When true, the receiver aborts the connection (after <see cref="Delay"/>) without answering.</summary>
    public bool DropConnection { get; init; }

    /// <summary>A response with the given status code and optional raw <c>Retry-After</c> value.</summary>
    /// <param name="statusCode">The status code, 200 to 599. A 2xx code still runs the normal contract checks.</param>
    /// <param name="retryAfter">The raw <c>Retry-After</c> header value (seconds or HTTP date), or null.</param>
    /// <returns>The scripted response.</returns>
    public static ScriptedResponse Status(int statusCode, string? retryAfter = null)
        => new() { StatusCode = statusCode, RetryAfter = retryAfter };

    /// <summary>A redirect: <paramref name="statusCode"/> (301, 302, 303, 307 or 308) with a <c>Location</c> header.</summary>
    /// <param name="statusCode">The 3xx status code.</param>
    /// <param name="location">Where the redirect points, such as another receiver's URL.</param>
    /// <returns>The scripted response.</returns>
    public static ScriptedResponse Redirect(int statusCode, string location)
        => new() { StatusCode = statusCode, Location = location };

    /// <summary>
    /// An OAuth error answer for the token endpoint (<see cref="DynatraceIngestReceiver.EnqueueTokenResponse"/>), shaped
    /// like Dynatrace SSO's: <c>{"errorCode":..,"message":..,"error":..,"error_description":..}</c>.
    /// </summary>
    /// <param name="statusCode">The status code, 400 to 599.</param>
    /// <param name="error">The OAuth <c>error</c>, such as <c>invalid_client</c>, <c>invalid_scope</c> or <c>server_error</c>.</param>
    /// <param name="description">The <c>error_description</c>, or null to leave it out.</param>
    /// <returns>The scripted response.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 400–599.</exception>
    public static ScriptedResponse OAuthError(int statusCode, string error, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (statusCode < 400)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "An OAuth error status code must be between 400 and 599.");
        }

        var fields = new Dictionary<string, object?>
        {
            ["errorCode"] = statusCode,
            ["message"] = ReasonPhrases.GetReasonPhrase(statusCode),
            ["error"] = error,
        };
        if (description is not null)
        {
            fields["error_description"] = description;
        }

        return new() { StatusCode = statusCode, Body = JsonSerializer.Serialize(fields) };
    }

    /// <summary>A response that waits <paramref name="delay"/> and then processes the request normally (202 on success).</summary>
    /// <param name="delay">How long to hang; <see cref="Timeout.InfiniteTimeSpan"/> hangs until aborted or disposed.</param>
    /// <returns>The scripted response.</returns>
    public static ScriptedResponse Hang(TimeSpan delay) => new() { Delay = delay };

    /// <summary>A response that aborts the connection without answering; the client sees a transport error.</summary>
    /// <returns>The scripted response.</returns>
    public static ScriptedResponse Drop() => new() { DropConnection = true };

    /// <summary>A header value is sent as is, so a CR or LF in it would write a header of its own.</summary>
    static string? WithoutControlCharacters(string? value, string header) =>
        value is not null && value.Any(char.IsControl)
            ? throw new ArgumentException($"A scripted {header} value must not contain control characters.", nameof(value))
            : value;

    /// <inheritdoc />
    public override string ToString()
        => DropConnection
            ? $"drop connection (after {Delay})"
            : $"{StatusCode}{(RetryAfter is null ? string.Empty : $" Retry-After: {RetryAfter}")}{(Location is null ? string.Empty : $" Location: {Location}")} (after {Delay})";
}
