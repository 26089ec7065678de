using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore;

/// <summary>
/// Identity's <see cref="SignInManager{TUser}"/>, reporting failed sign-ins (<c>authn_login_fail</c>) and the attempt
/// that locks an account (<c>authn_login_lock</c>) as security events: password sign-ins
/// (<see cref="PasswordSignInAsync(string, string, bool, bool)"/>, <see cref="CheckPasswordSignInAsync"/>, the Identity
/// API endpoints) and two-factor and recovery-code sign-ins. <c>AddSecurityEvents()</c> registers it in place of
/// Identity's default; an app with a sign-in manager of its own derives that from this class instead of
/// <see cref="SignInManager{TUser}"/>. Sign-ins outside an HTTP request, or in an app without
/// <c>AddSecurityEvents()</c>, are not reported; the sign-in itself always behaves exactly as Identity's.
/// </summary>
/// <typeparam name="TUser">The type of the app's users.</typeparam>
public class SecurityEventsSignInManager<TUser> : SignInManager<TUser>
    where TUser : class
{
    /// <summary>Creates the sign-in manager; the parameters are those of <see cref="SignInManager{TUser}"/>.</summary>
    /// <param name="userManager">The user manager.</param>
    /// <param name="contextAccessor">The accessor of the current request.</param>
    /// <param name="claimsFactory">The factory of the users' principals.</param>
    /// <param name="optionsAccessor">Identity's options.</param>
    /// <param name="logger">Identity's logger.</param>
    /// <param name="schemes">The authentication schemes.</param>
    /// <param name="confirmation">The check of account confirmation.</param>
    public SecurityEventsSignInManager(UserManager<TUser> userManager, IHttpContextAccessor contextAccessor,
        IUserClaimsPrincipalFactory<TUser> claimsFactory, IOptions<IdentityOptions> optionsAccessor, ILogger<SignInManager<TUser>> logger,
        IAuthenticationSchemeProvider schemes, IUserConfirmation<TUser> confirmation)
        : base(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
    {
    }

    /// <inheritdoc />
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var result = await base.PasswordSignInAsync(userName, password, isPersistent, lockoutOnFailure);
        // For a known account the password check below reported the failure; the base answers an unknown name with
        // Failed without checking anything, so nothing did. The name is not sent: it is often a password typed into
        // the wrong box.
        if (IsFailure(result) && Reporting() is ({ } http, { } writer) && !SecurityEventWriter.Reported(http, Findings.LoginFail))
            writer.LoginFailed(http, userName: null, "unknown_user");
        return result;
    }

    /// <inheritdoc />
    public override async Task<SignInResult> CheckPasswordSignInAsync(TUser user, string password, bool lockoutOnFailure)
    {
        var wasLockedOut = await IsLockedOutAsync(user);
        var result = await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        await ReportAsync(user, result, wasLockedOut, "invalid_password");
        return result;
    }

    /// <inheritdoc />
    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient)
    {
        var (user, wasLockedOut) = await TwoFactorUserAsync();
        var result = await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient);
        await ReportAsync(user, result, wasLockedOut, "invalid_second_factor");
        return result;
    }

    /// <inheritdoc />
    public override async Task<SignInResult> TwoFactorSignInAsync(string provider, string code, bool isPersistent, bool rememberClient)
    {
        var (user, wasLockedOut) = await TwoFactorUserAsync();
        var result = await base.TwoFactorSignInAsync(provider, code, isPersistent, rememberClient);
        await ReportAsync(user, result, wasLockedOut, "invalid_second_factor");
        return result;
    }

    /// <inheritdoc />
    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        var (user, wasLockedOut) = await TwoFactorUserAsync();
        var result = await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
        await ReportAsync(user, result, wasLockedOut, "invalid_second_factor");
        return result;
    }

    static bool IsFailure(SignInResult result) => !result.Succeeded && !result.RequiresTwoFactor;

    // Asked before the sign-in, to tell the attempt that locks the account from attempts on an account already locked.
    async Task<bool> IsLockedOutAsync(TUser user) => UserManager.SupportsUserLockout && await UserManager.IsLockedOutAsync(user);

    /// <summary>The user of the pending two-factor sign-in (from Identity's two-factor cookie), if any.</summary>
    async Task<(TUser? User, bool WasLockedOut)> TwoFactorUserAsync()
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        return (user, user != null && await IsLockedOutAsync(user));
    }

    async Task ReportAsync(TUser? user, SignInResult result, bool wasLockedOut, string failure)
    {
        if (user == null || !IsFailure(result) || Reporting() is not ({ } http, { } writer))
            return;

        var name = await UserManager.GetUserNameAsync(user) ?? await UserManager.GetUserIdAsync(user);
        if (result.IsNotAllowed)
        {
            writer.LoginFailed(http, name, "not_allowed");
        }
        else if (result.IsLockedOut && wasLockedOut)
        {
            writer.LoginFailed(http, name, "locked_out");
        }
        else
        {
            writer.LoginFailed(http, name, failure);
            if (result.IsLockedOut)
                writer.AccountLocked(http, name);
        }
    }

    /// <summary>The current request and the package's writer; neither when there is no request or no AddSecurityEvents().</summary>
    (HttpContext? Http, SecurityEventWriter? Writer) Reporting()
    {
        HttpContext http;
        try
        {
            http = Context;
        }
        catch (InvalidOperationException)
        {
            return (null, null); // SignInManager.Context throws outside a request
        }

        return (http, http.RequestServices?.GetService<SecurityEventWriter>());
    }
}
