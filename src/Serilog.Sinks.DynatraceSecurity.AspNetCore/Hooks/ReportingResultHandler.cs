using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;

/// <summary>
/// Wraps the app's <see cref="IAuthorizationMiddlewareResultHandler"/> (or ASP.NET Core's default), which the
/// authorization middleware hands every policy result: a forbid is <c>authz_fail</c>; a challenge whose credential
/// failed validation (not an anonymous request) is <c>authn_token_invalid</c>. The wrapped handler always answers.
/// One hook for every scheme (JwtBearer, cookies, Identity, custom), leaving the app's authentication events untouched.
/// </summary>
internal sealed class ReportingResultHandler(IAuthorizationMiddlewareResultHandler inner, SecurityEventWriter writer)
    : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
            writer.AccessDenied(context, PolicyNames(context));
        else if (authorizeResult.Challenged)
            await ReportRejectedCredentialAsync(context, policy);

        await inner.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>
    /// Asks the handlers of the policy's schemes (or of the default authenticate scheme) for their result. A handler
    /// authenticates once per request and returns the same result afterwards, so nothing is validated again; going
    /// to the handler rather than through <c>HttpContext.AuthenticateAsync</c> also keeps ASP.NET Core 10's
    /// authentication metrics from counting the request twice. No failure: an anonymous challenge, not reported.
    /// </summary>
    async Task ReportRejectedCredentialAsync(HttpContext context, AuthorizationPolicy policy)
    {
        IEnumerable<string> schemes = policy.AuthenticationSchemes;
        if (policy.AuthenticationSchemes.Count == 0)
        {
            var provider = context.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>();
            var defaultScheme = await provider.GetDefaultAuthenticateSchemeAsync();
            if (defaultScheme == null)
                return;
            schemes = new[] { defaultScheme.Name };
        }

        var handlers = context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>();
        foreach (var scheme in schemes)
        {
            var handler = await handlers.GetHandlerAsync(context, scheme);
            if (handler == null)
                continue;

            var result = await handler.AuthenticateAsync();
            if (result.Failure != null)
            {
                writer.CredentialRejected(context, scheme, CredentialFailure.ReasonOf(result.Failure));
                return;
            }
        }
    }

    static string? PolicyNames(HttpContext context)
    {
        var names = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(data => data.Policy)
            .Where(name => !string.IsNullOrEmpty(name))
            .Distinct()
            .ToArray();
        return names is { Length: > 0 } ? string.Join(",", names) : null;
    }
}
