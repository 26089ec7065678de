using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Serilog.Sinks.DynatraceSecurity.Examples.AspNetCoreEvents;

/// <summary>The demo's token issuer: a symmetric key the API trusts, and one it does not.</summary>
public static class DemoTokens
{
    const string Issuer = "https://login.contoso.example";
    const string Audience = "contoso-api";

    static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("contoso-demo-signing-key-0123456789abcdef"));
    static readonly SymmetricSecurityKey ForgedKey = new(Encoding.UTF8.GetBytes("an-attackers-own-key-0123456789abcdefghij"));

    public static TokenValidationParameters ValidationParameters { get; } = new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = Key,
        ClockSkew = TimeSpan.Zero,
        NameClaimType = "name",
        RoleClaimType = "role",
    };

    public static string Valid(string name, string role) => Create(name, role, DateTime.UtcNow.AddMinutes(30), Key);

    public static string Expired(string name) => Create(name, "reader", DateTime.UtcNow.AddMinutes(-5), Key);

    public static string Forged(string name) => Create(name, "admin", DateTime.UtcNow.AddMinutes(30), ForgedKey);

    static string Create(string name, string role, DateTime expires, SecurityKey key) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            NotBefore = expires.AddHours(-1),
            IssuedAt = expires.AddHours(-1),
            Expires = expires,
            Claims = new Dictionary<string, object> { ["name"] = name, ["role"] = role },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
}
