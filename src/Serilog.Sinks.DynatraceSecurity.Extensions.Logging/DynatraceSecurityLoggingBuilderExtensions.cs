using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity;

// Deliberately in the Microsoft.Extensions.Logging namespace, next to AddConsole() and the other providers.
namespace Microsoft.Extensions.Logging;

/// <summary>
/// Adds the Dynatrace security-event sink to Microsoft.Extensions.Logging, for apps that log through
/// <see cref="ILogger"/> and do not configure Serilog themselves. Security events are the ones written with
/// <c>LogSecurityEvent(...)</c> or inside <c>BeginSecurityScope(...)</c>; every other event is ignored by the sink.
/// </summary>
/// <remarks>
/// The provider is Serilog.Extensions.Logging's <c>SerilogLoggerProvider</c> (alias <c>Serilog</c> for filters such
/// as <c>Logging:Serilog:LogLevel</c>) over a Serilog logger that writes only to the sink. It is created when the
/// service provider first creates loggers (for a host: when it is built), which is also when a misconfiguration throws,
/// and it is disposed, delivering what is queued, when the service provider (the host) is disposed. Apps that already
/// use Serilog (<c>AddSerilog()</c>, <c>UseSerilog()</c>) should add <c>WriteTo.DynatraceSecurity(...)</c> to their
/// Serilog configuration instead.
/// </remarks>
public static class DynatraceSecurityLoggingBuilderExtensions
{
    /// <summary>
    /// Adds the Dynatrace security-event sink, configured in code.
    /// </summary>
    /// <param name="builder">The logging builder, such as <c>builder.Logging</c> of a host.</param>
    /// <param name="configure">Sets the options; <see cref="DynatraceSecurityOptions.EnvironmentUrl"/> is required.</param>
    /// <returns>The logging builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="ArgumentException">Thrown when the service provider creates the provider (for a host: when it is
    /// built) if a setting is missing or invalid; the message says what to fix.</exception>
    public static ILoggingBuilder AddDynatraceSecurity(this ILoggingBuilder builder, Action<DynatraceSecuritySinkOptions> configure)
    {
        if (builder == null) throw new ArgumentNullException(nameof(builder));
        if (configure == null) throw new ArgumentNullException(nameof(configure));

        // Created by a factory, so that the service provider owns it and disposes (flushes) it with itself.
        builder.Services.AddSingleton<ILoggerProvider>(_ => new SerilogLoggerProvider(CreateLogger(configure), dispose: true));
        return builder;
    }

    /// <summary>
    /// Adds the Dynatrace security-event sink, configured from a configuration section whose keys are the names of the
    /// <see cref="DynatraceSecuritySinkOptions"/> properties, for example the section <c>DynatraceSecurity</c> of
    /// appsettings.json: <c>{ "EnvironmentUrl": "https://abc12345.live.dynatrace.com", "Endpoint": "contoso.identity",
    /// "BufferingTimeLimit": "00:00:05", "StaticAttributes": { "deployment.environment": "production" } }</c>.
    /// Leave <c>AccessToken</c> out to use the environment variable <c>DT_ACCESS_TOKEN</c>, or supply it from user
    /// secrets or any other configuration source.
    /// </summary>
    /// <param name="builder">The logging builder, such as <c>builder.Logging</c> of a host.</param>
    /// <param name="configuration">The section to read, such as <c>builder.Configuration.GetSection("DynatraceSecurity")</c>.</param>
    /// <returns>The logging builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configuration"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Thrown when the provider is created if the section has a key that is
    /// not an option (a misspelling) or a value that cannot be converted; the message names the key.</exception>
    /// <exception cref="ArgumentException">Thrown when the provider is created if a setting is missing or invalid.</exception>
    public static ILoggingBuilder AddDynatraceSecurity(this ILoggingBuilder builder, IConfiguration configuration)
    {
        if (builder == null) throw new ArgumentNullException(nameof(builder));
        if (configuration == null) throw new ArgumentNullException(nameof(configuration));

        return builder.AddDynatraceSecurity(options =>
            // Misspelled keys fail instead of being ignored: a typo must not silently change where events go.
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true));
    }

    static Serilog.Core.Logger CreateLogger(Action<DynatraceSecuritySinkOptions> configure) =>
        new LoggerConfiguration()
            // Microsoft.Extensions.Logging's own filters decide what reaches the provider.
            .MinimumLevel.Verbose()
            .WriteTo.DynatraceSecurity(configure)
            .CreateLogger();
}
