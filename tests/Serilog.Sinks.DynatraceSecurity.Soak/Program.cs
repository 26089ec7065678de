// Soak/stress run for the delivery policy (not part of the default test run).
//
//   dotnet run -c Release --project tests/Serilog.Sinks.DynatraceSecurity.Soak -- [--rate 10000] [--producers 4]
//       [--warmup-seconds 10] [--outage-minutes 10] [--recovery-seconds 30] [--failure-ratio 0.8]
//       [--buffer-path DIR [--buffer-size-mb 8192] [--drain-minutes 30]]
//   dotnet run -c Release --project tests/Serilog.Sinks.DynatraceSecurity.Soak -- --drain-files 10000 [--buffer-path DIR]
//
// With --drain-files N, it measures only how fast the durable buffer drains many small files: one logger (batches of
// one event) writes N one-event buffer files while every request fails, and is disposed; a second logger with the same
// buffer then sends them to the healthy receiver, and the run prints how long that took, its CPU and its requests.
//
// With --buffer-path the sink delivers durably: what fails waits on disk and is replayed after the outage; the run
// then waits (up to --drain-minutes) until the buffer is empty before it disposes the logger.
//
// Producers on several threads log marked events at a fixed total rate to a counting loopback receiver. During the
// outage a fault-injecting handler in front of the receiver fails most requests (503, 429 with Retry-After, dropped
// connections, slow answers); then it recovers. At the end: accepted + reported must equal emitted, and the peak
// memory and the logging-call cost during the outage are printed next to the warm-up figures.

using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;

var rate = IntArg("--rate", 10_000);
var producers = IntArg("--producers", 4);
var warmup = TimeSpan.FromSeconds(IntArg("--warmup-seconds", 10));
var outage = TimeSpan.FromMinutes(DoubleArg("--outage-minutes", 10));
var recovery = TimeSpan.FromSeconds(IntArg("--recovery-seconds", 30));
var failureRatio = DoubleArg("--failure-ratio", 0.8);
var bufferPath = StringArg("--buffer-path");
var bufferSize = (long)DoubleArg("--buffer-size-mb", 8192) * 1024 * 1024;
var drain = TimeSpan.FromMinutes(DoubleArg("--drain-minutes", 30));
var drainFiles = IntArg("--drain-files", 0);

long accepted = 0;
long requests = 0;
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
builder.Logging.ClearProviders();
var app = builder.Build();
app.Run(async context =>
{
    // Counts the events of a JSON array body; answers 202 like Dynatrace.
    using var body = new System.IO.MemoryStream();
    await context.Request.Body.CopyToAsync(body);
    var reader = new Utf8JsonReader(body.GetBuffer().AsSpan(0, (int)body.Length));
    long events = 0;
    while (reader.Read())
    {
        if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 1)
        {
            events++;
            reader.Skip();
        }
    }

    Interlocked.Add(ref accepted, events);
    Interlocked.Increment(ref requests);
    context.Response.StatusCode = 202;
});
await app.StartAsync();
var address = app.Urls.Single();

var faults = new FaultInjectingHandler(failureRatio);
if (drainFiles > 0)
    return await MeasureDrainAsync(drainFiles);
var fallback = new CountingSink();
var sink = new LoggerConfiguration()
    .WriteTo.FallbackChain(
        wt => wt.DynatraceSecurity(o =>
        {
            o.EnvironmentUrl = address;
            o.AccessToken = "dt0c01.SOAK.SOAKSECRET";
            o.Endpoint = "soak.test";
            o.MessageHandler = faults;
            o.RetryTimeLimit = TimeSpan.FromMinutes(2);
            o.BufferPath = bufferPath;
            o.BufferSizeLimitBytes = bufferSize;
        }),
        wt => wt.Sink(fallback))
    .CreateLogger();

long emitted = 0;
var phase = "warmup";
var callTicks = new long[3];
var callCounts = new long[3];
using var stop = new CancellationTokenSource();
var peakWorkingSet = new long[3];
var peakManaged = new long[3];
int PhaseIndex() => phase switch { "warmup" => 0, "outage" => 1, _ => 2 };

var producerTasks = Enumerable.Range(0, producers).Select(p => Task.Factory.StartNew(() =>
{
    var security = sink.ForSecurityEvent();
    var perProducer = rate / (double)producers;
    var clock = Stopwatch.StartNew();
    long sent = 0;
    var random = new Random(p);
    while (!stop.IsCancellationRequested)
    {
        var due = (long)(clock.Elapsed.TotalSeconds * perProducer);
        if (sent >= due)
        {
            Thread.Sleep(1);
            continue;
        }

        var index = PhaseIndex();
        var start = Stopwatch.GetTimestamp();
        security.Warning("Failed login for {UserName} from {ClientIp} attempt {Attempt}", "user" + (sent % 1000), "203.0.113." + random.Next(255), sent);
        Interlocked.Add(ref callTicks[index], Stopwatch.GetTimestamp() - start);
        Interlocked.Increment(ref callCounts[index]);
        Interlocked.Increment(ref emitted);
        sent++;
    }
}, TaskCreationOptions.LongRunning)).ToArray();

var sampler = Task.Run(async () =>
{
    using var process = Process.GetCurrentProcess();
    while (!stop.IsCancellationRequested)
    {
        process.Refresh();
        var i = PhaseIndex();
        peakWorkingSet[i] = Math.Max(peakWorkingSet[i], process.WorkingSet64);
        peakManaged[i] = Math.Max(peakManaged[i], GC.GetTotalMemory(false));
        await Task.Delay(500);
    }
});

var total = Stopwatch.StartNew();
Console.WriteLine($"rate {rate}/s, {producers} producers, warm-up {warmup}, outage {outage} (failure ratio {failureRatio}), recovery {recovery}" +
    (bufferPath == null ? "" : $", durable buffer {bufferPath} ({bufferSize / 1_048_576} MiB)"));
long peakBufferBytes = 0;
await Task.Delay(warmup);
phase = "outage";
faults.Failing = true;
for (var waited = TimeSpan.Zero; waited < outage; waited += TimeSpan.FromSeconds(30))
{
    await Task.Delay(outage - waited < TimeSpan.FromSeconds(30) ? outage - waited : TimeSpan.FromSeconds(30));
    peakBufferBytes = Math.Max(peakBufferBytes, BufferBytes());
    Console.WriteLine($"  {total.Elapsed:mm\\:ss} outage: emitted {Interlocked.Read(ref emitted)}, accepted {Interlocked.Read(ref accepted)}, reported {fallback.Count}, " +
        $"peak working set {peakWorkingSet[1] / 1_048_576} MiB, buffer {BufferBytes() / 1_048_576} MiB");
}

phase = "recovery";
faults.Failing = false;
await Task.Delay(recovery);
stop.Cancel();
await Task.WhenAll(producerTasks);
await sampler;

var draining = Stopwatch.StartNew();
while (bufferPath != null && BufferBytes() > 0 && draining.Elapsed < drain)
{
    await Task.Delay(TimeSpan.FromSeconds(5));
    peakBufferBytes = Math.Max(peakBufferBytes, BufferBytes());
    Console.WriteLine($"  {total.Elapsed:mm\\:ss} draining: accepted {Interlocked.Read(ref accepted)}, buffer {BufferBytes() / 1_048_576} MiB");
}

var closing = Stopwatch.StartNew();
await sink.DisposeAsync();
closing.Stop();
await app.StopAsync();

var emittedTotal = Interlocked.Read(ref emitted);
var acceptedTotal = Interlocked.Read(ref accepted);
var reportedTotal = fallback.Count;
string Cost(int i) => callCounts[i] == 0 ? "-" : $"{callTicks[i] * 1e9 / Stopwatch.Frequency / callCounts[i]:0} ns";
Console.WriteLine();
Console.WriteLine($"emitted {emittedTotal}, accepted {acceptedTotal}, reported {reportedTotal} (sum {acceptedTotal + reportedTotal})");
Console.WriteLine($"failed requests injected: {faults.Injected}");
Console.WriteLine($"logging call, mean: warm-up {Cost(0)}, outage {Cost(1)}, recovery {Cost(2)}");
Console.WriteLine($"peak working set: warm-up {peakWorkingSet[0] / 1_048_576} MiB, outage {peakWorkingSet[1] / 1_048_576} MiB, recovery {peakWorkingSet[2] / 1_048_576} MiB");
Console.WriteLine($"peak managed heap: warm-up {peakManaged[0] / 1_048_576} MiB, outage {peakManaged[1] / 1_048_576} MiB, recovery {peakManaged[2] / 1_048_576} MiB");
Console.WriteLine($"CloseAndFlush took {closing.Elapsed.TotalSeconds:0.0} s");
if (bufferPath != null)
    Console.WriteLine($"durable buffer: peak {peakBufferBytes / 1_048_576} MiB on disk, drained in {draining.Elapsed.TotalSeconds:0} s, {BufferBytes()} bytes left");
var ok = emittedTotal == acceptedTotal + reportedTotal;
Console.WriteLine(ok ? "OK: every event was accepted or reported" : "FAILED: accepted + reported != emitted");
return ok ? 0 : 1;

async Task<int> MeasureDrainAsync(int files)
{
    var directory = bufferPath ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "soak-drain-" + Guid.NewGuid().ToString("N"));
    int FileCount() => System.IO.Directory.Exists(directory) ? System.IO.Directory.GetFiles(directory, "*.dtsb").Length : 0;
    // A handler for each logger: a logger disposes its handler with it.
    Logger Durable(int batchSizeLimit, bool failing) => new LoggerConfiguration()
        .WriteTo.DynatraceSecurity(o =>
        {
            o.EnvironmentUrl = address;
            o.AccessToken = "dt0c01.SOAK.SOAKSECRET";
            o.Endpoint = "soak.test";
            o.MessageHandler = new FaultInjectingHandler(1) { Failing = failing };
            o.BufferPath = directory;
            o.BufferSizeLimitBytes = bufferSize;
            o.BatchSizeLimit = batchSizeLimit;
            o.BufferingTimeLimit = TimeSpan.FromMilliseconds(1);
        })
        .CreateLogger();

    var writing = Stopwatch.StartNew();
    await using (var writer = Durable(batchSizeLimit: 1, failing: true)) // every request fails: each event becomes a file
    {
        var security = writer.ForSecurityEvent();
        for (var i = 0; i < files; i++)
            security.Warning("Failed login for {UserName} attempt {Attempt}", "user" + (i % 1000), i);
        while (FileCount() < files && writing.Elapsed < TimeSpan.FromMinutes(10))
            await Task.Delay(100);
    }

    var written = FileCount();
    Console.WriteLine($"{written} buffer files written in {writing.Elapsed.TotalSeconds:0.0} s ({directory})");
    Interlocked.Exchange(ref accepted, 0);
    Interlocked.Exchange(ref requests, 0);
    using var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    var draining = Stopwatch.StartNew();
    await using (Durable(batchSizeLimit: 1000, failing: false))
    {
        while (FileCount() > 0 && draining.Elapsed < drain)
            await Task.Delay(50);
        draining.Stop();
    }

    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuBefore;
    Console.WriteLine($"drained {written - FileCount()} of {written} files in {draining.Elapsed.TotalSeconds:0.0} s " +
        $"({(written - FileCount()) / draining.Elapsed.TotalSeconds:0} files/s), {Interlocked.Read(ref accepted)} events accepted in " +
        $"{Interlocked.Read(ref requests)} requests, CPU {cpu.TotalSeconds:0.0} s ({cpu.TotalSeconds / draining.Elapsed.TotalSeconds:P0} of a core)");
    if (bufferPath == null)
        System.IO.Directory.Delete(directory, recursive: true);
    await app.StopAsync();
    return FileCount() == 0 && Interlocked.Read(ref accepted) == written ? 0 : 1;
}

int IntArg(string name, int fallbackValue) => (int)DoubleArg(name, fallbackValue);

string? StringArg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

long BufferBytes() => bufferPath == null || !System.IO.Directory.Exists(bufferPath)
    ? 0
    : new System.IO.DirectoryInfo(bufferPath).GetFiles("*.dtsb").Sum(LengthOrZero);

// The replayer deletes files while they are counted: a file gone since the listing counts nothing.
static long LengthOrZero(System.IO.FileInfo file)
{
    try
    {
        return file.Length;
    }
    catch (System.IO.FileNotFoundException)
    {
        return 0;
    }
}

double DoubleArg(string name, double fallbackValue)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallbackValue;
}

sealed class CountingSink : ILogEventSink
{
    long _count;
    public long Count => Interlocked.Read(ref _count);
    public void Emit(LogEvent logEvent) => Interlocked.Increment(ref _count);
}

/// <summary>While failing, answers most requests itself with a failure; otherwise passes them to the receiver.</summary>
sealed class FaultInjectingHandler : DelegatingHandler
{
    readonly double _failureRatio;
    readonly Random _random = new(42);
    long _injected;

    public FaultInjectingHandler(double failureRatio) : base(new SocketsHttpHandler())
    {
        _failureRatio = failureRatio;
    }

    public volatile bool Failing;

    public long Injected => Interlocked.Read(ref _injected);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        double roll;
        lock (_random)
            roll = _random.NextDouble();
        if (!Failing || roll >= _failureRatio)
            return await base.SendAsync(request, cancellationToken);

        Interlocked.Increment(ref _injected);
        var kind = (int)(roll / _failureRatio * 4);
        switch (kind)
        {
            case 0:
                throw new HttpRequestException("injected: connection refused");
            case 1:
                var limited = new HttpResponseMessage((HttpStatusCode)429);
                limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
                return limited;
            case 2:
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return new HttpResponseMessage(HttpStatusCode.BadGateway);
            default:
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        }
    }
}
