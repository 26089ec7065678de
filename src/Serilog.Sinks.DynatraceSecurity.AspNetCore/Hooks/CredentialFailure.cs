using System;
using Microsoft.AspNetCore.Authentication;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;

/// <summary>
/// Why a credential was rejected (<c>event.reason</c> of <c>authn_token_invalid</c>), from the failure of an
/// <see cref="AuthenticateResult"/>. IdentityModel's exceptions are matched by type name along the base types, so no
/// IdentityModel reference is needed; the cookie handler's failures by their fixed messages. No message of a token
/// exception is ever used beyond this (IdentityModel can put token content in them).
/// </summary>
internal static class CredentialFailure
{
    public const string Expired = "expired";
    public const string NotYetValid = "not_yet_valid";
    public const string InvalidSignature = "invalid_signature";
    public const string InvalidIssuer = "invalid_issuer";
    public const string InvalidAudience = "invalid_audience";
    public const string Malformed = "malformed";
    public const string Rejected = "rejected";
    public const string Invalid = "invalid";

    public static string ReasonOf(Exception failure)
    {
        // JwtBearer with several token handlers aggregates their failures; the first one says what was wrong.
        if (failure is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            failure = aggregate.InnerExceptions[0];

        for (var type = failure.GetType(); type != null && type != typeof(Exception); type = type.BaseType)
        {
            switch (type.Name)
            {
                case "SecurityTokenExpiredException": return Expired;
                case "SecurityTokenNotYetValidException": return NotYetValid;
                case "SecurityTokenInvalidSignatureException":
                case "SecurityTokenSignatureKeyNotFoundException": return InvalidSignature;
                case "SecurityTokenInvalidIssuerException": return InvalidIssuer;
                case "SecurityTokenInvalidAudienceException": return InvalidAudience;
                case "SecurityTokenMalformedException": return Malformed;
            }
        }

        // AuthenticateResult.Fail(string): the fixed failures of the cookie handler and of JwtBearer with the legacy
        // UseSecurityTokenValidators (no validator could read the token), or a handler or the app's own event refusing
        // the credential (context.Fail(...), a security stamp that no longer matches: "No principal.").
        if (failure.GetType() == typeof(AuthenticationFailureException))
        {
            return failure.Message switch
            {
                "Ticket expired" => Expired,
                "Unprotect ticket failed" => InvalidSignature,
                "No SecurityTokenValidator available for token." => Malformed,
                _ => Rejected,
            };
        }

        return Invalid;
    }
}
