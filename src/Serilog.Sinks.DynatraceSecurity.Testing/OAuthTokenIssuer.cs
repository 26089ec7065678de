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
    readonly Dictionary<string, (DateTimeOffset ExpiresAt, HashSet<string> Permissions)> _issued = new(StringComparer.Ordinal);
    readonly HashSet<string> _revoked = new(StringComparer.Ordinal);
    readonly TimeSpan _lifetime;

    public OAuthTokenIssuer(TimeSpan lifetime) => _lifetime = lifetime;

    /// <summary>The <c>expires_in</c> a client is told: whole seconds, never more than the real lifetime.</summary>
    public long ExpiresInSeconds => (long)_lifetime.TotalSeconds;

    public string Issue(IReadOnlyCollection<string> permissions)
    {
        var token = TokenPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        lock (_gate)
        {
            _issued[token] = (DateTimeOffset.UtcNow + _lifetime, new HashSet<string>(permissions, StringComparer.Ordinal));
        }

        return token;
    }

    /// <summary>
    /// Null when <paramref name="token"/> was issued here, has not expired or been revoked, and carries
    /// <paramref name="permission"/>; otherwise the status (401 or 403) and a message that never quotes the token.
    /// </summary>
    public (int Status, string Message)? Check(string token, string permission)
    {
        lock (_gate)
        {
            if (!_issued.TryGetValue(token, out var issued))
            {
                return (401, "The access token is missing or invalid.");
            }

            if (_revoked.Contains(token))
            {
                return (401, "The OAuth access token has been revoked.");
            }

            if (DateTimeOffset.UtcNow >= issued.ExpiresAt)
            {
                return (401, "The OAuth access token has expired.");
            }

            return issued.Permissions.Contains(permission) ? null : (403, $"The OAuth access token lacks the permission {permission}.");
        }
    }

    /// <returns>True when the token was issued here and not revoked before.</returns>
    public bool Revoke(string token)
    {
        lock (_gate)
        {
            return _issued.ContainsKey(token) && _revoked.Add(token);
        }
    }

    /// <returns>How many tokens were revoked now.</returns>
    public int RevokeAll()
    {
        lock (_gate)
        {
            var before = _revoked.Count;
            _revoked.UnionWith(_issued.Keys);
            return _revoked.Count - before;
        }
    }
}
