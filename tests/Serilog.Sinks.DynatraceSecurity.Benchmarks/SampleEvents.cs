using System;
using System.Collections.Generic;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks;

/// <summary>
/// The events every benchmark uses, made by logging through real Serilog pipelines (and, for scopes, through
/// Serilog.Extensions.Logging as an ASP.NET Core app would), so that they hold what real events hold.
/// </summary>
static class SampleEvents
{
    /// <summary>The message template of the representative event (three template properties).</summary>
    public const string Template = "Failed login for {UserName} from {ClientIp} (attempt {Attempt})";

    public const string SourceContext = "Contoso.Identity.LoginController";

    /// <summary>The destructured object with a small array that the representative event carries.</summary>
    public static readonly object User = new { Name = "alice", Id = 4711, Roles = new[] { "admin", "ops" } };

    /// <summary>
    /// Adds the context half of the representative event (marker, a destructured object with a small array, a bool,
    /// a double, a source context and an application name) to <paramref name="logger"/>; with <see cref="Template"/>
    /// that makes eight properties besides the marker.
    /// </summary>
    public static ILogger WithContext(ILogger logger, bool marked = true)
    {
        var context = logger
            .ForContext(Constants.SourceContextPropertyName, SourceContext)
            .ForContext("Application", "contoso-identity")
            .ForContext("User", User, destructureObjects: true)
            .ForContext("Locked", false)
            .ForContext("Score", 7.5);
        return marked ? context.ForSecurityEvent(SecurityEventTypes.DetectionFinding) : context;
    }

    /// <summary>The representative security event: eight properties, one a structure with an array.</summary>
    public static LogEvent Representative() =>
        Capture(log => WithContext(log).Warning(Template, "alice", "203.0.113.7", 5));

    /// <summary>The same with a thrown exception (with its stack trace).</summary>
    public static LogEvent WithException() =>
        Capture(log => WithContext(log).Warning(Thrown(), Template, "alice", "203.0.113.7", 5));

    /// <summary>
    /// The same event logged through <c>Microsoft.Extensions.Logging</c> inside the scopes an ASP.NET Core request
    /// has (a dictionary scope with <c>RequestId</c>, <c>RequestPath</c>, <c>ConnectionId</c>), a text scope
    /// (<c>Scope: [...]</c> plus its property) and a security scope with <c>actor.ips</c>; the event also gets
    /// <c>EventId</c> and <c>SourceContext</c> as Serilog.Extensions.Logging adds them, and the trace context of the
    /// request's <see cref="Activity"/>.
    /// </summary>
    public static LogEvent WithScopes()
    {
        using var activity = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").SetIdFormat(ActivityIdFormat.W3C).Start();
        var sink = new CollectingSink();
        using var serilog = new LoggerConfiguration().MinimumLevel.Verbose().Enrich.FromLogContext()
            .WriteTo.Sink(sink).CreateLogger();
        using var provider = new SerilogLoggerProvider(serilog);
        var logger = provider.CreateLogger(SourceContext);

        using (logger.BeginScope(new Dictionary<string, object?>
        {
            ["RequestId"] = "0HNA1B2C3D4E5:00000001",
            ["RequestPath"] = "/account/login",
            ["ConnectionId"] = "0HNA1B2C3D4E5",
        }))
        using (logger.BeginScope("Login attempt {LoginAttemptId}", 815))
        using (logger.BeginSecurityScope(SecurityEventTypes.DetectionFinding, new Dictionary<string, object?>
        {
            ["actor.ips"] = new[] { "203.0.113.7" },
        }))
        {
            logger.LogWarning(new EventId(17, "LoginFailed"),
                "Failed login for {UserName} from {ClientIp} (attempt {Attempt}) as {@User} locked {Locked} score {Score}",
                "alice", "203.0.113.7", 5, User, false, 7.5);
        }

        return Single(sink);
    }

    static LogEvent Capture(Action<ILogger> log)
    {
        var sink = new CollectingSink();
        using (var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger())
            log(logger);
        return Single(sink);
    }

    static LogEvent Single(CollectingSink sink) =>
        sink.Events.Count == 1 ? sink.Events[0] : throw new InvalidOperationException($"{sink.Events.Count} events captured");

    static Exception Thrown()
    {
        try
        {
            throw new InvalidOperationException("The account is locked.");
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
    }

    sealed class CollectingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = new();

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}
