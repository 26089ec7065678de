using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Events;

using ILogger = Microsoft.Extensions.Logging.ILogger;

/// <summary>
/// Keeps an attack from becoming a log flood. Per (<c>finding.type</c>, client address) a window starts at the first
/// occurrence and lasts <see cref="FloodControlOptions.Window"/>: its first <see cref="FloodControlOptions.MaxEvents"/>
/// occurrences are admitted (written individually by the caller), later ones are counted, and when the window ends one
/// summary event stands for the counted ones. At most <see cref="MaxTrackedPairs"/> pairs are tracked; beyond that, new
/// addresses share one window per type, whose summary has no address.
/// </summary>
internal sealed class FloodControl : IDisposable
{
    public const int MaxTrackedPairs = 10_000;

    const string SummaryDescription = "Flood control: occurrences not reported individually";

    readonly int _maxEvents;
    readonly TimeSpan _length;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly object _gate = new();
    readonly Dictionary<(string Type, string? Address), Window> _open = new();
    // Every window lasts as long as every other, so they end in the order they opened.
    readonly Queue<Window> _byEnd = new();
    readonly ITimer _timer;
    bool _timerArmed;

    public FloodControl(FloodControlOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _maxEvents = options.MaxEvents;
        _length = options.Window;
        _time = time;
        _logger = loggers.CreateLogger(Findings.Category);
        _timer = time.CreateTimer(static state => ((FloodControl)state!).WriteEndedWindows(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Records one occurrence of <paramref name="finding"/> from <paramref name="address"/> (null: unknown) at
    /// <paramref name="level"/>; returns true when the caller is to write it, false when it was counted for the summary.
    /// </summary>
    public bool Admit(Finding finding, string? address, LogLevel level)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var window = OpenWindow(finding, address, now);
            if (window.Written < _maxEvents)
            {
                window.Written++;
                return true;
            }

            window.Count(now, level);
            return false;
        }
    }

    /// <summary>Ends every open window now and writes their summaries (the host is stopping).</summary>
    public void EndAll()
    {
        List<Window> ended;
        lock (_gate)
        {
            ended = new List<Window>(_byEnd);
            _byEnd.Clear();
            _open.Clear();
        }

        WriteSummaries(ended);
    }

    public void Dispose() => _timer.Dispose();

    Window OpenWindow(Finding finding, string? address, DateTimeOffset now)
    {
        if (address != null && _open.Count >= MaxTrackedPairs && !_open.ContainsKey((finding.Type, address)))
            address = null;

        var key = (finding.Type, address);
        if (_open.TryGetValue(key, out var window) && now < window.End)
            return window;

        // A window whose end has passed stays queued until the timer writes its summary; the new one replaces it here.
        window = new Window(finding, address, now + _length);
        _open[key] = window;
        _byEnd.Enqueue(window);
        if (!_timerArmed)
            Arm(now);
        return window;
    }

    void WriteEndedWindows()
    {
        var ended = new List<Window>();
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            while (_byEnd.Count > 0 && _byEnd.Peek().End <= now)
            {
                var window = _byEnd.Dequeue();
                var key = (window.Finding.Type, window.Address);
                if (_open.TryGetValue(key, out var current) && ReferenceEquals(current, window))
                    _open.Remove(key);
                ended.Add(window);
            }

            _timerArmed = false;
            if (_byEnd.Count > 0)
                Arm(now);
        }

        WriteSummaries(ended);
    }

    void Arm(DateTimeOffset now)
    {
        var due = _byEnd.Peek().End - now;
        _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        _timerArmed = true;
    }

    void WriteSummaries(List<Window> ended)
    {
        foreach (var window in ended)
        {
            if (window.Counted == 0)
                continue;

            var type = window.Finding.Type;
            var from = window.Address ?? "other addresses";
            var attributes = new List<KeyValuePair<string, object?>>(4);
            if (window.Address != null)
                attributes.Add(new("actor.ips", new[] { window.Address }));
            attributes.Add(new("event.count", window.Counted));
            attributes.Add(new("event.start", window.FirstCounted));
            attributes.Add(new("event.end", window.LastCounted));
            var finding = new SecurityFinding { Type = type, Title = $"{window.Counted} more {type} from {from} not reported individually" };
            using (_logger.BeginSecurityScope(finding, attributes))
                _logger.Log(window.HighestLevel, window.Finding.EventId, SummaryDescription);
        }
    }

    sealed class Window(Finding finding, string? address, DateTimeOffset end)
    {
        public Finding Finding { get; } = finding;
        public string? Address { get; } = address;
        public DateTimeOffset End { get; } = end;
        public int Written { get; set; }
        public int Counted { get; private set; }
        public DateTimeOffset FirstCounted { get; private set; }
        public DateTimeOffset LastCounted { get; private set; }
        public LogLevel HighestLevel { get; private set; }

        public void Count(DateTimeOffset now, LogLevel level)
        {
            if (Counted == 0)
                FirstCounted = now;
            LastCounted = now;
            Counted++;
            if (level > HighestLevel)
                HighestLevel = level;
        }
    }
}
