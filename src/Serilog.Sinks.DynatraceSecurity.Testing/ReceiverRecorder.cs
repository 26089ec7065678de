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
    readonly List<(Func<int> Count, int Target, TaskCompletionSource Reached)> _waiters = new();
    long _lastSequence;
    int _arrivals;
    bool _closed;

    public IReadOnlyList<ReceivedTokenRequest> TokenRequests => Snapshot(_tokenRequests);

    public IReadOnlyList<ReceivedRequest> Requests => Snapshot(_requests);

    public IReadOnlyList<ReceivedEvent> Events => Snapshot(_events);

    /// <summary>
    /// Counts an arrival and returns its sequence number (arrival order) and time, both taken under the lock so that a
    /// later arrival never has an earlier time.
    /// </summary>
    public long RegisterArrival(out DateTimeOffset receivedAt)
    {
        lock (_gate)
        {
            _arrivals++;
            ReleaseReached();
            receivedAt = DateTimeOffset.UtcNow;
            return ++_lastSequence;
        }
    }

    /// <summary>Records an answered request and its events, inserted by arrival order.</summary>
    public void Record(ReceivedRequest request, IReadOnlyList<JsonElement> events)
    {
        lock (_gate)
        {
            // Requests are answered out of order (a scripted delay, a slow body); they are kept in arrival order.
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
            ReleaseReached();
        }
    }

    public void RecordToken(ReceivedTokenRequest request)
    {
        lock (_gate)
        {
            _tokenRequests.Add(request);
        }
    }

    /// <summary>Forgets everything recorded and the arrivals; pending waits keep waiting for counts from zero.</summary>
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

    public Task WaitForArrivalsAsync(int target, TimeSpan timeout) => WaitAsync(() => _arrivals, "request arrival(s)", target, timeout);

    public Task WaitForRequestsAsync(int target, TimeSpan timeout) => WaitAsync(() => _requests.Count, "answered request(s)", target, timeout);

    public Task WaitForEventsAsync(int target, TimeSpan timeout) => WaitAsync(() => _events.Count, "accepted event(s)", target, timeout);

    /// <summary>Fails pending waits; later waits throw <see cref="ObjectDisposedException"/>. Recorded data stays readable.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var waiter in _waiters)
            {
                waiter.Reached.TrySetException(new ObjectDisposedException(
                    nameof(DynatraceIngestReceiver), "The receiver was disposed while a test was waiting on it."));
            }

            _waiters.Clear();
        }
    }

    /// <summary>Completes when <paramref name="count"/> (read under the lock) reaches <paramref name="target"/>.</summary>
    /// <exception cref="TimeoutException">It did not in time; the message says how far it got and what was answered.</exception>
    async Task WaitAsync(Func<int> count, string what, int target, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        if (timeout <= TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        // Continuations run asynchronously, so a waiter is released under the lock without running a test's code there.
        (Func<int> Count, int Target, TaskCompletionSource Reached) waiter =
            (count, target, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(DynatraceIngestReceiver));
            if (count() >= target)
            {
                return;
            }

            _waiters.Add(waiter);
        }

        try
        {
            await waiter.Reached.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string message;
            lock (_gate)
            {
                _waiters.Remove(waiter);
                if (count() >= target)
                {
                    return;
                }

                message = DescribeTimeout(count(), what, target, timeout);
            }

            throw new TimeoutException(message);
        }
    }

    T[] Snapshot<T>(List<T> records)
    {
        lock (_gate)
        {
            return records.ToArray();
        }
    }

    void ReleaseReached()
    {
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Count() >= _waiters[i].Target)
            {
                _waiters[i].Reached.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    string DescribeTimeout(int reached, string what, int target, TimeSpan timeout)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Timed out after {timeout.TotalMilliseconds:0} ms waiting for {target} {what}; {reached} arrived");
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
