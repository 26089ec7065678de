using System;
using System.Collections.Generic;
using System.Security.Cryptography;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// The access tokens the receiver's token endpoint has issued: each with its expiry and its permissions, until it is
/// revoked. Thread-safe: the token endpoint issues while ingest requests check and tests revoke.
/// </summary>
internal sealed class OAuthTokenIssuer
{
    const string TokenPrefix = "localreceiver.oauth.";

    readonly object _gate = new();
    readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    readonly TimeSpan _lifetime;

    public OAuthTokenIssuer(TimeSpan lifetime) => _lifetime = lifetime;

    /// <summary>The <c>expires_in</c> a client is told: whole seconds, never more than the real lifetime.</summary>
    public long ExpiresInSeconds => (long)_lifetime.TotalSeconds;

    public string Issue(IReadOnlyCollection<string> permissions)
    {
        var token = TokenPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        lock (_gate)
        {
            _tokens[token] = new IssuedToken(DateTimeOffset.UtcNow + _lifetime, new HashSet<string>(permissions, StringComparer.Ordinal));
        }

        return token;
    }

    /// <summary>
    /// Null when <paramref name="token"/> was issued here, has not expired or been revoked, and carries
    /// <paramref name="permission"/>; otherwise the status (401 or 403) and a message that never quotes the token.
    /// </summary>
    public (int Status, string Message)? Check(string token, string permission)
    {
        IssuedToken? issued;
        lock (_gate)
        {
            _tokens.TryGetValue(token, out issued);
        }

        if (issued is null)
        {
            return (401, "The access token is missing or invalid.");
        }

        if (issued.Revoked)
        {
            return (401, "The OAuth access token has been revoked.");
        }

        if (DateTimeOffset.UtcNow >= issued.ExpiresAt)
        {
            return (401, "The OAuth access token has expired.");
        }

        return issued.Permissions.Contains(permission)
            ? null
            : (403, $"The OAuth access token lacks the permission {permission}.");
    }

    public bool Revoke(string token)
    {
        lock (_gate)
        {
            if (!_tokens.TryGetValue(token, out var issued) || issued.Revoked)
            {
                return false;
            }

            issued.Revoked = true;
            return true;
        }
    }

    public int RevokeAll()
    {
        var revoked = 0;
        lock (_gate)
        {
            foreach (var issued in _tokens.Values)
            {
                if (!issued.Revoked)
                {
                    issued.Revoked = true;
                    revoked++;
                }
            }
        }

        return revoked;
    }

    sealed class IssuedToken
    {
        public IssuedToken(DateTimeOffset expiresAt, HashSet<string> permissions)
        {
            ExpiresAt = expiresAt;
            Permissions = permissions;
        }

        public DateTimeOffset ExpiresAt { get; }

        public HashSet<string> Permissions { get; }

        public bool Revoked { get; set; }
    }
}
