using System;
using FluentAssertions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Hooks;

/// <summary>The reason of a rejected credential, from IdentityModel's real exception types and the handlers' failures.</summary>
public class CredentialFailureTests
{
    public static TheoryData<Exception, string> Failures => new()
    {
        { new SecurityTokenExpiredException(), "expired" },
        { new SecurityTokenNotYetValidException(), "not_yet_valid" },
        { new SecurityTokenInvalidSignatureException(), "invalid_signature" },
        { new SecurityTokenSignatureKeyNotFoundException(), "invalid_signature" },
        { new SecurityTokenInvalidIssuerException(), "invalid_issuer" },
        { new SecurityTokenInvalidAudienceException(), "invalid_audience" },
        { new SecurityTokenMalformedException(), "malformed" },
        { new SecurityTokenNoExpirationException(), "invalid" },
        { new AggregateException(new SecurityTokenInvalidAudienceException(), new SecurityTokenExpiredException()), "invalid_audience" },
        { AuthenticateResult.Fail("Ticket expired").Failure!, "expired" },
        { AuthenticateResult.Fail("Unprotect ticket failed").Failure!, "invalid_signature" },
        { AuthenticateResult.Fail("No principal.").Failure!, "rejected" },
        { AuthenticateResult.Fail("Blocked by the app's OnTokenValidated").Failure!, "rejected" },
        { AuthenticateResult.Fail("No SecurityTokenValidator available for token.").Failure!, "malformed" },
        { new InvalidOperationException("anything else"), "invalid" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void TheReasonComesFromTheFailuresTypeOrTheHandlersFixedMessage(Exception failure, string reason) =>
        CredentialFailure.ReasonOf(failure).Should().Be(reason);
}
