using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Hooks;

/// <summary>
/// Puts the hooks into the app's registrations and, when the app starts, tells which of them the final registrations
/// bypass. Wraps the registered <see cref="IAuthorizationMiddlewareResultHandler"/> (or ASP.NET Core's default, which
/// makes that hook independent of the order for apps without a handler of their own) and <see cref="IAntiforgery"/>
/// (only when the app registered it: registering it would make <c>WebApplication</c> add the antiforgery middleware),
/// and registers <see cref="SecurityEventsSignInManager{TUser}"/> in place of Identity's default
/// <see cref="SignInManager{TUser}"/>. Installing twice wraps nothing twice.
/// </summary>
internal sealed class HookRegistry
{
    readonly IServiceCollection _services;
    readonly HashSet<ServiceDescriptor> _ours = new();

    HookRegistry(IServiceCollection services) => _services = services;

    /// <summary>The registry of <paramref name="services"/>, added to them the first time.</summary>
    public static HookRegistry Of(IServiceCollection services)
    {
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(HookRegistry) && !d.IsKeyedService)?.ImplementationInstance;
        if (existing is HookRegistry registry)
            return registry;

        registry = new HookRegistry(services);
        services.AddSingleton(registry);
        return registry;
    }

    public void Install()
    {
        Wrap<IAuthorizationMiddlewareResultHandler>(
            (inner, writer) => new ReportingResultHandler(inner, writer),
            orDefault: () => new AuthorizationMiddlewareResultHandler());
        Wrap<IAntiforgery>((inner, writer) => new ReportingAntiforgery(inner, writer), orDefault: null);
        foreach (var index in SignInManagerRegistrations())
        {
            var descriptor = _services[index];
            if (descriptor.ImplementationType == descriptor.ServiceType)
                _services[index] = ServiceDescriptor.Describe(descriptor.ServiceType, ReportingSignInManager(descriptor.ServiceType), descriptor.Lifetime);
        }
    }

    /// <summary>One message per hook that the app's final registrations bypass, saying what to do.</summary>
    public IEnumerable<string> BypassedHooks()
    {
        if (Last(typeof(IAuthorizationMiddlewareResultHandler)) is { } handler && !_ours.Contains(handler))
        {
            yield return $"The IAuthorizationMiddlewareResultHandler {Describe(handler)} is registered after AddSecurityEvents(), which " +
                         "wraps the handler registered before it: rejected credentials (authn_token_invalid) and authorization failures " +
                         "(authz_fail) are not reported. Call builder.Services.AddSecurityEvents() after registering the handler.";
        }

        if (Last(typeof(IAntiforgery)) is { } antiforgery && !_ours.Contains(antiforgery))
        {
            yield return "Antiforgery is registered after AddSecurityEvents() (AddAntiforgery, AddControllersWithViews, AddRazorPages or " +
                         "AddRazorComponents), so antiforgery failures (input_validation_fail) are not reported. Call " +
                         "builder.Services.AddSecurityEvents() after those calls.";
        }

        foreach (var manager in SignInManagerRegistrations().Select(i => _services[i]).GroupBy(d => d.ServiceType).Select(g => g.Last()))
        {
            var reporting = ReportingSignInManager(manager.ServiceType);
            if (manager.ImplementationType != null && reporting.IsAssignableFrom(manager.ImplementationType))
                continue;

            yield return manager.ImplementationType == manager.ServiceType
                ? "Identity (AddIdentity, AddDefaultIdentity or AddSignInManager) is registered after AddSecurityEvents(), so failed " +
                  "sign-ins and lockouts (authn_login_fail, authn_login_lock) are not reported. Call builder.Services.AddSecurityEvents() " +
                  "after the Identity registration."
                : $"The sign-in manager {Describe(manager)} does not derive from SecurityEventsSignInManager<{manager.ServiceType.GetGenericArguments()[0].Name}>, " +
                  "so failed sign-ins and lockouts (authn_login_fail, authn_login_lock) are not reported. Derive it from " +
                  "Serilog.Sinks.DynatraceSecurity.AspNetCore.SecurityEventsSignInManager<TUser> instead of SignInManager<TUser>.";
        }
    }

    void Wrap<TService>(Func<TService, SecurityEventWriter, TService> wrap, Func<TService>? orDefault)
        where TService : class
    {
        var index = LastIndex(typeof(TService));
        if (index >= 0 && _ours.Contains(_services[index]))
            return;

        ServiceDescriptor wrapper;
        if (index >= 0)
        {
            var original = _services[index];
            wrapper = ServiceDescriptor.Describe(typeof(TService),
                sp => wrap((TService)Create(sp, original), sp.GetRequiredService<SecurityEventWriter>()), original.Lifetime);
            _services[index] = wrapper;
        }
        else if (orDefault != null)
        {
            wrapper = ServiceDescriptor.Singleton(typeof(TService), sp => wrap(orDefault(), sp.GetRequiredService<SecurityEventWriter>()));
            _services.Add(wrapper);
        }
        else
        {
            return;
        }

        _ours.Add(wrapper);
    }

    static object Create(IServiceProvider services, ServiceDescriptor original) =>
        original.ImplementationInstance
        ?? original.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, original.ImplementationType!);

    IEnumerable<int> SignInManagerRegistrations()
    {
        for (var i = 0; i < _services.Count; i++)
        {
            var type = _services[i].ServiceType;
            if (!_services[i].IsKeyedService && type.IsConstructedGenericType && type.GetGenericTypeDefinition() == typeof(SignInManager<>))
                yield return i;
        }
    }

    static Type ReportingSignInManager(Type signInManager) =>
        typeof(SecurityEventsSignInManager<>).MakeGenericType(signInManager.GetGenericArguments());

    ServiceDescriptor? Last(Type serviceType)
    {
        var index = LastIndex(serviceType);
        return index >= 0 ? _services[index] : null;
    }

    int LastIndex(Type serviceType)
    {
        for (var i = _services.Count - 1; i >= 0; i--)
        {
            if (_services[i].ServiceType == serviceType && !_services[i].IsKeyedService)
                return i;
        }

        return -1;
    }

    static string Describe(ServiceDescriptor descriptor) =>
        (descriptor.ImplementationType ?? descriptor.ImplementationInstance?.GetType())?.FullName ?? "(registered by a factory)";
}
