using System.Threading.Tasks;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;

/// <summary>
/// Wraps the app's <see cref="IAntiforgery"/>, which every antiforgery check goes through: the antiforgery middleware
/// (minimal APIs, Blazor forms), MVC's <c>[ValidateAntiForgeryToken]</c> filter and the app's own calls. A failed
/// validation is <c>input_validation_fail</c>; the wrapped service's answer (and exception) is passed on unchanged.
/// </summary>
internal sealed class ReportingAntiforgery(IAntiforgery inner, SecurityEventWriter writer) : IAntiforgery
{
    public AntiforgeryTokenSet GetAndStoreTokens(HttpContext httpContext) => inner.GetAndStoreTokens(httpContext);

    public AntiforgeryTokenSet GetTokens(HttpContext httpContext) => inner.GetTokens(httpContext);

    public void SetCookieTokenAndHeader(HttpContext httpContext) => inner.SetCookieTokenAndHeader(httpContext);

    public async Task<bool> IsRequestValidAsync(HttpContext httpContext)
    {
        var valid = await inner.IsRequestValidAsync(httpContext);
        if (!valid)
            writer.AntiforgeryFailed(httpContext);
        return valid;
    }

    public async Task ValidateRequestAsync(HttpContext httpContext)
    {
        try
        {
            await inner.ValidateRequestAsync(httpContext);
        }
        catch (AntiforgeryValidationException)
        {
            writer.AntiforgeryFailed(httpContext);
            throw;
        }
    }
}
