using System;
using System.Collections.Generic;
using System.Linq;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>An immutable, validated copy of <see cref="DynatraceIngestReceiverOptions"/> taken at start.</summary>
internal sealed class ReceiverSettings
{
    static readonly TimeSpan MaximumTokenLifetime = TimeSpan.FromDays(1);

    ReceiverSettings(IReadOnlyList<string> acceptedTokens, HashSet<string>? endpoints, long maxRequestBytes, Func<System.Text.Json.JsonElement, string?>? validateEvent, bool acceptGzip, bool requireSecurityAppFields)
    {
        RequireSecurityAppFields = requireSecurityAppFields;
        AcceptGzip = acceptGzip;
        ValidateEvent = validateEvent;
        AcceptedTokens = acceptedTokens;
        Endpoints = endpoints;
        MaxRequestBytes = maxRequestBytes;
    }

    public IReadOnlyList<string> AcceptedTokens { get; }

    /// <summary>Configured endpoint names (case-insensitive set), or null when every valid name exists.</summary>
    public HashSet<string>? Endpoints { get; }

    public long MaxRequestBytes { get; }

    public bool AcceptGzip { get; }

    public bool RequireSecurityAppFields { get; }

    public Func<System.Text.Json.JsonElement, string?>? ValidateEvent { get; }

    public string OAuthClientId { get; private init; } = string.Empty;

    public string OAuthClientSecret { get; private init; } = string.Empty;

    public TimeSpan OAuthTokenLifetime { get; private init; }

    public IReadOnlySet<string> OAuthScopes { get; private init; } = new HashSet<string>();

    public static ReceiverSettings From(DynatraceIngestReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var tokens = options.AcceptedTokens.ToArray();
        if (tokens.Length == 0)
        {
            throw new ArgumentException("AcceptedTokens must hold at least one token.", nameof(options));
        }

        foreach (var token in tokens)
        {
            if (string.IsNullOrWhiteSpace(token) || token.Any(char.IsWhiteSpace))
            {
                throw new ArgumentException("AcceptedTokens must not hold null, blank or whitespace-containing tokens.", nameof(options));
            }
        }

        HashSet<string>? endpoints = null;
        if (options.Endpoints is not null)
        {
            endpoints = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in options.Endpoints)
            {
                if (IngestRequestHandler.EndpointNameProblem(name) is { } problem)
                {
                    throw new ArgumentException($"Endpoints holds an invalid endpoint name: {problem}", nameof(options));
                }

                endpoints.Add(name);
            }
        }

        if (options.MaxRequestBytes <= 0 || options.MaxRequestBytes >= int.MaxValue)
        {
            throw new ArgumentException("MaxRequestBytes must be positive and less than 2 GiB.", nameof(options));
        }

        RequireCredential(options.OAuthClientId, nameof(options.OAuthClientId));
        RequireCredential(options.OAuthClientSecret, nameof(options.OAuthClientSecret));
        if (options.OAuthTokenLifetime < TimeSpan.FromSeconds(1) || options.OAuthTokenLifetime > MaximumTokenLifetime)
        {
            throw new ArgumentException("OAuthTokenLifetime must be between 1 second and 1 day.", nameof(options));
        }

        var scopes = options.OAuthScopes.ToArray();
        foreach (var scope in scopes)
        {
            RequireCredential(scope, nameof(options.OAuthScopes));
        }

        return new ReceiverSettings(tokens, endpoints, options.MaxRequestBytes, options.ValidateEvent, options.AcceptGzip, options.RequireSecurityAppFields)
        {
            OAuthClientId = options.OAuthClientId,
            OAuthClientSecret = options.OAuthClientSecret,
            OAuthTokenLifetime = options.OAuthTokenLifetime,
            OAuthScopes = new HashSet<string>(scopes, StringComparer.Ordinal),
        };
    }

    static void RequireCredential(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"{name} must not be blank or contain whitespace.", "options");
        }
    }
}
