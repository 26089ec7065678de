using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Sinks.DynatraceSecurity.AspNetCore;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Hosting;

// Deliberately in the Microsoft.Extensions.DependencyInjection namespace, next to ASP.NET Core's own Add... methods.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds zero-code security events from ASP.NET Core: what the framework rejects (invalid bearer tokens and auth cookies,
/// authorization failures, rate-limit rejections, antiforgery failures, failed Identity sign-ins and lockouts) becomes
/// <see cref="ILogger"/> security events named in the OWASP Logging Vocabulary (category
/// <c>Serilog.Sinks.DynatraceSecurity.AspNetCore</c>), which the Dynatrace security sink ships like any marked event.
/// </summary>
/// <remarks>
/// Call it after the app's own registrations (<c>AddIdentity</c>/<c>AddDefaultIdentity</c>, <c>AddAuthorization</c> and
/// any <c>IAuthorizationMiddlewareResultHandler</c> of the app's, <c>AddAntiforgery</c>/<c>AddControllersWithViews</c>/
/// <c>AddRazorPages</c>): it wraps what is registered. When the app starts, each hook that later registrations bypass
/// is named in a warning. It registers no authentication scheme, no antiforgery and no Identity service of its own.
/// </remarks>
public static class SecurityEventsServiceCollectionExtensions
{
    /// <summary>Adds the security events with the default options.</summary>
    /// <param name="services">The app's services, such as <c>builder.Services</c>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddSecurityEvents(this IServiceCollection services) =>
        services.AddSecurityEvents(_ => { });

    /// <summary>Adds the security events, with options set in code.</summary>
    /// <param name="services">The app's services, such as <c>builder.Services</c>.</param>
    /// <param name="configure">Sets the options, such as <c>o =&gt; o.FloodControl.MaxEvents = 20</c>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="OptionsValidationException">Thrown when the app starts if a value is out of range; the message
    /// names it.</exception>
    public static IServiceCollection AddSecurityEvents(this IServiceCollection services, Action<SecurityEventsOptions> configure)
    {
        if (services == null) throw new ArgumentNullException(nameof(services));
        if (configure == null) throw new ArgumentNullException(nameof(configure));

        services.AddOptions<SecurityEventsOptions>().Configure(configure).ValidateOnStart();
        return services.AddSecurityEventsServices();
    }

    /// <summary>
    /// Adds the security events, with options from a configuration section such as
    /// <c>builder.Configuration.GetSection("SecurityEvents")</c>: <c>{ "FloodControl": { "MaxEvents": 10, "Window": "00:01:00" } }</c>.
    /// </summary>
    /// <param name="services">The app's services, such as <c>builder.Services</c>.</param>
    /// <param name="configuration">The section to read.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Thrown when the app starts if the section has a key that is not an
    /// option (a misspelling); the message names it.</exception>
    /// <exception cref="OptionsValidationException">Thrown when the app starts if a value is out of range; the message
    /// names it.</exception>
    public static IServiceCollection AddSecurityEvents(this IServiceCollection services, IConfiguration configuration)
    {
        if (services == null) throw new ArgumentNullException(nameof(services));
        if (configuration == null) throw new ArgumentNullException(nameof(configuration));

        // A misspelled key fails instead of being ignored.
        services.AddOptions<SecurityEventsOptions>().Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        return services.AddSecurityEventsServices();
    }

    static IServiceCollection AddSecurityEventsServices(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddMetrics();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecurityEventsOptions>, OptionsCheck>());
        services.TryAddSingleton(sp => new FloodControl(
            sp.GetRequiredService<IOptions<SecurityEventsOptions>>().Value.FloodControl,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<SecurityEventWriter>();
        services.TryAddSingleton<RateLimitRejections>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SecurityEventsLifecycle>());
        HookRegistry.Of(services).Install();
        return services;
    }
}
