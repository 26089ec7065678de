using System;
using System.Collections;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.Logging;

using ILogger = Microsoft.Extensions.Logging.ILogger;

/// <summary>
/// The state of a <c>LogSecurityEvent</c> call: the message template state that Microsoft.Extensions.Logging itself
/// builds for <c>logger.Log(level, message, args)</c> (its <c>{OriginalFormat}</c> and named values, so every provider
/// renders and structures it as usual), followed by the finding's values, if any, and the security marker.
/// </summary>
internal sealed class SecurityEventLogValues : IReadOnlyList<KeyValuePair<string, object?>>
{
    static readonly Func<SecurityEventLogValues, Exception?, string> Formatter = static (state, _) => state.ToString();

    static readonly List<KeyValuePair<string, object?>> NoFinding = new();

    readonly IReadOnlyList<KeyValuePair<string, object?>> _template;
    readonly List<KeyValuePair<string, object?>> _finding;
    readonly KeyValuePair<string, object?> _marker;

    SecurityEventLogValues(IReadOnlyList<KeyValuePair<string, object?>> template, List<KeyValuePair<string, object?>> finding, string eventType)
    {
        _template = template;
        _finding = finding;
        _marker = new KeyValuePair<string, object?>(SecurityEventLoggerExtensions.DefaultMarkerProperty, eventType);
    }

    /// <summary>Logs the event with the finding's values, if any, and the marker.</summary>
    public static void Log(ILogger logger, LogLevel level, string eventType, List<KeyValuePair<string, object?>>? finding,
        Exception? exception, string? message, object?[] args)
    {
        // Microsoft.Extensions.Logging's template state (FormattedLogValues) is internal: let it build one, then wrap it.
        var capture = new TemplateStateCapture();
        capture.Log(level, exception, message, args);
        if (capture.State is { } template)
        {
            logger.Log(level, default, new SecurityEventLogValues(template, finding ?? NoFinding, eventType), exception, Formatter);
            return;
        }

        // Not expected with any released Microsoft.Extensions.Logging; the marker then comes from a scope.
        using (logger.BeginScope(new SecurityScopeState(eventType, finding, null)))
            logger.Log(level, exception, message, args);
    }

    // The finding's values and then the marker come last: Serilog.Extensions.Logging keeps the last value of a key, so
    // what was given to LogSecurityEvent wins over a template value of the same name.
    public int Count => _template.Count + _finding.Count + 1;

    public KeyValuePair<string, object?> this[int index] =>
        index < _template.Count ? _template[index]
        : index < _template.Count + _finding.Count ? _finding[index - _template.Count]
        : index == Count - 1 ? _marker
        : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
            yield return this[i];
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
