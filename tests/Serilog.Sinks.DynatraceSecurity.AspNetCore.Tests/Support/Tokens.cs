using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;

/// <summary>Bearer tokens for the test apps: valid, expired, signed with another key, from another issuer, not a JWT.</summary>
static class Tokens
{
    public const string Issuer = "https://issuer.contoso.test";
    public const string Audience = "contoso-api";

    static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("the-symmetric-test-key-of-the-contoso-apps-0001"));
    static readonly SymmetricSecurityKey OtherKey = new(Encoding.UTF8.GetBytes("another-key-that-the-app-does-not-trust-at-all-2"));

    public static TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = Key,
        ClockSkew = TimeSpan.Zero,
        NameClaimType = "name",
        RoleClaimType = "role",
    };

    public static string Valid(string name, params string[] roles) => Create(name, roles, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(30));

    public static string Expired(string name) => Create(name, Array.Empty<string>(), DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1));

    public static string SignedWithAnotherKey(string name) =>
        Create(name, Array.Empty<string>(), DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(30), key: OtherKey);

    public static string FromAnotherIssuer(string name) =>
        Create(name, Array.Empty<string>(), DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(30), issuer: "https://evil.example");

    public const string NotAJwt = "this-is-not-a-jwt-but-a-secret-looking-string";

    static string Create(string name, string[] roles, DateTime notBefore, DateTime expires, SecurityKey? key = null, string issuer = Issuer)
    {
        var claims = new Dictionary<string, object> { ["name"] = name, ["sub"] = name };
        if (roles.Length > 0)
            claims["role"] = roles;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            NotBefore = notBefore,
            IssuedAt = notBefore,
            Expires = expires,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.HmacSha256),
        });
    }
}
