using System.Collections.Concurrent;
using System.Collections.Generic;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity;

namespace Serilog.Sinks.DynatraceSecurity.Examples.LoginApi;

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
    static readonly EventId LoginToLockedAccount = new(1, "LoginToLockedAccount");
    static readonly EventId FailedLogin = new(2, "FailedLogin");
    static readonly EventId AccountLocked = new(3, "AccountLocked");

    public static IResult Handle(LoginRequest request, HttpContext http, AccountStore accounts, ILogger<LoginEndpoint> logger)
    {
        // Every event in this request carries who called (actor.ips); keys are kept as given, so they arrive under
        // Dynatrace's semantic names.
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["actor.ips"] = new[] { http.Connection.RemoteIpAddress?.ToString() ?? "unknown" },
        });

        if (accounts.IsLockedOut(request.UserName))
        {
            // One security event that says what it is about and what it is called.
            logger.LogSecurityEvent(LogLevel.Warning,
                new SecurityFinding { Type = "LoginToLockedAccount", ObjectType = "USER_ACCOUNT", ObjectId = request.UserName },
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
        // Every event in this scope is a security event about the account (object.type, object.id); the event ids'
        // names become their finding.type ("FailedLogin", "AccountLocked").
        using (logger.BeginSecurityScope(new SecurityFinding { ObjectType = "USER_ACCOUNT", ObjectId = request.UserName }))
        {
            logger.LogWarning(FailedLogin, "Failed login for {UserName} ({Attempt} of {MaximumFailures})",
                request.UserName, failures, AccountStore.MaximumFailures);

            if (failures == AccountStore.MaximumFailures)
                logger.LogError(AccountLocked, "Account {UserName} locked after {Attempt} failed logins", request.UserName, failures);
        }

        return Results.Unauthorized();
    }
}
