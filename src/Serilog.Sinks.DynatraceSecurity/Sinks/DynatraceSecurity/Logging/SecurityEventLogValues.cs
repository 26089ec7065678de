using System;
using System.Collections;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.Logging;

using ILogger = Microsoft.Extensions.Logging.ILogger;

/// <summary>
/// The state of a <c>LogSecurityEvent</c> call: the message template state that Microsoft.Extensions.Logging itself
/// builds for <c>logger.Log(level, message, args)</c> (its <c>{OriginalFormat}</c> and named values, so every provider
/// renders and structures it as usual), followed by the security marker.
/// </summary>
internal sealed class SecurityEventLogValues : IReadOnlyList<KeyValuePair<string, object?>>
{
    static readonly Func<SecurityEventLogValues, Exception?, string> Formatter = static (state, _) => state.ToString();

    readonly IReadOnlyList<KeyValuePair<string, object?>> _template;
    readonly KeyValuePair<string, object?> _marker;

    SecurityEventLogValues(IReadOnlyList<KeyValuePair<string, object?>> template, string eventType)
    {
        _template = template;
        _marker = new KeyValuePair<string, object?>(SecurityEventLoggerExtensions.DefaultMarkerProperty, eventType);
    }

    public static void Log(ILogger logger, LogLevel level, string eventType, Exception? exception, string? message, object?[] args)
    {
        // Microsoft.Extensions.Logging's template state (FormattedLogValues) is internal: let it build one, then wrap it.
        var capture = new TemplateStateCapture();
        capture.Log(level, exception, message, args);
        if (capture.State is { } template)
        {
            logger.Log(level, default, new SecurityEventLogValues(template, eventType), exception, Formatter);
            return;
        }

        // Not expected with any released Microsoft.Extensions.Logging; the marker then comes from a scope.
        using (logger.BeginScope(new SecurityScopeState(eventType, null)))
            logger.Log(level, exception, message, args);
    }

    // The marker comes last: Serilog.Extensions.Logging keeps the last value of a key, so the event type given to
    // LogSecurityEvent wins over a template value that happens to be called SecurityEvent.
    public int Count => _template.Count + 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == _template.Count ? _marker : _template[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < _template.Count; i++)
            yield return _template[i];
        yield return _marker;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The rendered message, exactly as <c>logger.Log(level, message, args)</c> renders it.</summary>
    public override string ToString() => _template.ToString() ?? string.Empty;

    sealed class TemplateStateCapture : ILogger
    {
        public IReadOnlyList<KeyValuePair<string, object?>>? State { get; private set; }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            State = state as IReadOnlyList<KeyValuePair<string, object?>>;

        public bool IsEnabled(LogLevel logLevel) => true;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    }
}
