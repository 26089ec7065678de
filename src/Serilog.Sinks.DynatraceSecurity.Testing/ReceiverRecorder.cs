using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace Serilog.Sinks.DynatraceSecurity.Testing;

/// <summary>
/// Thread-safe record of arrivals, answered requests and accepted events, kept in arrival order, with waits that
/// complete by signalling (no polling).
/// </summary>
internal sealed class ReceiverRecorder
{
    const int RequestsShownOnTimeout = 10;

    readonly object _gate = new();
    readonly List<ReceivedRequest> _requests = new();
    readonly List<ReceivedEvent> _events = new();
    readonly List<ReceivedTokenRequest> _tokenRequests = new();
    readonly List<CountWaiter> _waiters = new();
    long _lastSequence;
    int _arrivals;
    bool _closed;

    /// <summary>Counts an arrival and returns its sequence number (arrival order).</summary>
    public long RegisterArrival()
    {
        List<CountWaiter> satisfied;
        long sequence;
        lock (_gate)
        {
            sequence = ++_lastSequence;
            _arrivals++;
            satisfied = TakeSatisfiedWaiters();
        }

        Release(satisfied);
        return sequence;
    }

    /// <summary>Records an answered request and its events, inserted by arrival order.</summary>
    public void Record(ReceivedRequest request, IReadOnlyList<JsonElement> events)
    {
        List<CountWaiter> satisfied;
        lock (_gate)
        {
            var requestIndex = _requests.Count;
            while (requestIndex > 0 && _requests[requestIndex - 1].Sequence > request.Sequence)
            {
                requestIndex--;
            }

            _requests.Insert(requestIndex, request);

            var eventIndex = _events.Count;
            while (eventIndex > 0 && _events[eventIndex - 1].Request.Sequence > request.Sequence)
            {
                eventIndex--;
            }

            _events.InsertRange(eventIndex, events.Select(json => new ReceivedEvent(request, json)));
            satisfied = TakeSatisfiedWaiters();
        }

        Release(satisfied);
    }

    /// <summary>Records an answered token request.</summary>
    public void RecordToken(ReceivedTokenRequest request)
    {
        lock (_gate)
        {
            _tokenRequests.Add(request);
        }
    }

    public IReadOnlyList<ReceivedTokenRequest> TokenRequests
    {
        get
        {
            lock (_gate)
            {
                return _tokenRequests.ToArray();
            }
        }
    }

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    public IReadOnlyList<ReceivedEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _requests.Clear();
            _events.Clear();
            _tokenRequests.Clear();
            _arrivals = 0;
        }
    }

    /// <summary>Completes when <paramref name="counter"/> reaches <paramref name="target"/>; throws <see cref="TimeoutException"/> otherwise.</summary>
    public async Task WaitAsync(RecordedCount counter, int target, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        if (timeout <= TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        CountWaiter waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(DynatraceIngestReceiver));
            if (Current(counter) >= target)
            {
                return;
            }

            waiter = new CountWaiter(counter, target);
            _waiters.Add(waiter);
        }

        try
        {
            await waiter.Completion.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string message;
            lock (_gate)
            {
                _waiters.Remove(waiter);
                if (Current(counter) >= target)
                {
                    return;
                }

                message = DescribeTimeout(counter, target, timeout);
            }

            throw new TimeoutException(message);
        }
    }

    /// <summary>Fails pending waits; later waits throw <see cref="ObjectDisposedException"/>. Recorded data stays readable.</summary>
    public void Close()
    {
        List<CountWaiter> pending;
        lock (_gate)
        {
            _closed = true;
            pending = _waiters.ToList();
            _waiters.Clear();
        }

        foreach (var waiter in pending)
        {
            waiter.Completion.TrySetException(new ObjectDisposedException(
                nameof(DynatraceIngestReceiver), "The receiver was disposed while a test was waiting on it."));
        }
    }

    int Current(RecordedCount counter) => counter switch
    {
        RecordedCount.Arrivals => _arrivals,
        RecordedCount.Requests => _requests.Count,
        _ => _events.Count,
    };

    List<CountWaiter> TakeSatisfiedWaiters()
    {
        var satisfied = new List<CountWaiter>();
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (Current(_waiters[i].Counter) >= _waiters[i].Target)
            {
                satisfied.Add(_waiters[i]);
                _waiters.RemoveAt(i);
            }
        }

        return satisfied;
    }

    static void Release(List<CountWaiter> satisfied)
    {
        foreach (var waiter in satisfied)
        {
            waiter.Completion.TrySetResult();
        }
    }

    string DescribeTimeout(RecordedCount counter, int target, TimeSpan timeout)
    {
        var what = counter switch
        {
            RecordedCount.Arrivals => "request arrival(s)",
            RecordedCount.Requests => "answered request(s)",
            _ => "accepted event(s)",
        };

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Timed out after {timeout.TotalMilliseconds:0} ms waiting for {target} {what}; {Current(counter)} arrived");
        text.Append(CultureInfo.InvariantCulture, $" ({_events.Count} event(s) accepted, {_requests.Count} request(s) answered, {_arrivals} arrived).");
        if (_requests.Count > 0)
        {
            var skip = Math.Max(0, _requests.Count - RequestsShownOnTimeout);
            text.Append(skip > 0 ? $" Last {RequestsShownOnTimeout} requests: " : " Requests: ");
            text.AppendJoin("; ", _requests.Skip(skip));
            text.Append('.');
        }

        return text.ToString();
    }
}
