using System.Collections.Concurrent;
using System.Collections.Generic;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity;

namespace Serilog.Sinks.DynatraceSecurity.Examples.AspNetCore;

/// <summary>The body of <c>POST /login</c>.</summary>
public sealed record LoginRequest(string UserName, string Password);

/// <summary>A stand-in for a real user store: two accounts, and a lockout after three failed logins.</summary>
public sealed class AccountStore
{
    public const int MaximumFailures = 3;

    readonly Dictionary<string, string> _passwords = new() { ["alice"] = "correct horse", ["bob"] = "battery staple" };
    readonly ConcurrentDictionary<string, int> _failures = new();

    public bool IsLockedOut(string userName) => _failures.TryGetValue(userName, out var count) && count >= MaximumFailures;

    public bool Verify(LoginRequest request) =>
        _passwords.TryGetValue(request.UserName, out var password) && password == request.Password;

    public int RecordFailure(string userName) => _failures.AddOrUpdate(userName, 1, (_, count) => count + 1);

    public void RecordSuccess(string userName) => _failures.TryRemove(userName, out _);
}

/// <summary><c>POST /login</c>: only failed logins and lockouts are security events.</summary>
public sealed class LoginEndpoint
{
    public static IResult Handle(LoginRequest request, HttpContext http, AccountStore accounts, ILogger<LoginEndpoint> logger)
    {
        // Every event in this request carries who called (actor.ips) and which account it is about (object.*).
        // Keys are kept as given, so they arrive under Dynatrace's semantic names.
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["actor.ips"] = new[] { http.Connection.RemoteIpAddress?.ToString() ?? "unknown" },
            ["object.type"] = "USER_ACCOUNT",
            ["object.id"] = request.UserName,
        });

        if (accounts.IsLockedOut(request.UserName))
        {
            logger.LogSecurityEvent(LogLevel.Warning, SecurityEventTypes.DetectionFinding,
                "Login attempt for locked account {UserName}", request.UserName);
            return Results.StatusCode(StatusCodes.Status423Locked);
        }

        if (accounts.Verify(request))
        {
            accounts.RecordSuccess(request.UserName);
            logger.LogInformation("{UserName} logged in", request.UserName); // not a security event: not sent
            return Results.Ok();
        }

        var failures = accounts.RecordFailure(request.UserName);
        using (logger.BeginSecurityScope(SecurityEventTypes.DetectionFinding,
                   new Dictionary<string, object?> { ["finding.title"] = "Failed login" }))
        {
            logger.LogWarning("Failed login for {UserName} ({Attempt} of {MaximumFailures})",
                request.UserName, failures, AccountStore.MaximumFailures);

            if (failures == AccountStore.MaximumFailures)
                logger.LogError("Account {UserName} locked after {Attempt} failed logins", request.UserName, failures);
        }

        return Results.Unauthorized();
    }
}
