using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;

using ILogger = Microsoft.Extensions.Logging.ILogger;

/// <summary>A logger provider that keeps every event's category, level, event id and text, with the current scopes.</summary>
sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    readonly ConcurrentQueue<Entry> _entries = new();
    IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Attributes);

    public IReadOnlyList<Entry> Entries => _entries.ToArray();

    public IReadOnlyList<Entry> In(string category) => Entries.Where(e => e.Category == category).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var attributes = new Dictionary<string, object?>();
            owner._scopes.ForEachScope((scope, values) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var pair in pairs)
                        values[pair.Key] = pair.Value;
                }
            }, attributes);
            owner._entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception) + (exception == null ? "" : " " + exception), attributes));
        }
    }
}
