using System;
using System.Collections.Generic;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Configuration;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Filtering;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Pipeline;

namespace Serilog.Sinks.DynatraceSecurity.Benchmarks;

/// <summary>
/// One event formatted the way the delivery loop formats it: the sink's formatter into a reused pooled buffer
/// through a reused <see cref="Utf8JsonWriter"/> with the sink's writer options, default options (redaction on).
/// <c>Batch_*</c> formats 1,000 events into a batch as the delivery loop does, with the sink's <see cref="EventSerializer"/>
/// (per event: the result divided by 1,000).
/// </summary>
[MemoryDiagnoser]
public class FormattingBenchmarks
{
    const int BatchSize = 1000;

    LogEvent _representative = null!;
    LogEvent _withException = null!;
    LogEvent _withScopes = null!;
    SecurityEventFormatter _formatter = null!;
    PooledBufferWriter _buffer = null!;
    Utf8JsonWriter _json = null!;
    EventSerializer _serializer = null!;
    readonly FormattedBatch _formatted = new();
    List<LogEvent> _batch = null!;
    readonly Guid _eventId = Guid.NewGuid();

    [GlobalSetup]
    public void Setup()
    {
        _representative = SampleEvents.Representative();
        _withException = SampleEvents.WithException();
        _withScopes = SampleEvents.WithScopes();

        var settings = SinkSettings.From(BenchmarkOptions.Create("http://127.0.0.1:1"));
        _formatter = BenchmarkOptions.CreateFormatter();
        _buffer = new PooledBufferWriter();
        _json = new Utf8JsonWriter(_buffer, SecurityEventFormatter.WriterOptions);

        _serializer = new EventSerializer(BenchmarkOptions.CreateFormatter(), settings.EventBodyLimitBytes);
        _batch = new List<LogEvent>();
        for (var i = 0; i < BatchSize; i++)
            _batch.Add(_representative);

        // What each benchmark writes, once, so that a reader of the results can see it.
        Console.WriteLine("// representative: " + Format(_representative) + " bytes");
        Console.WriteLine("// with exception: " + Format(_withException) + " bytes");
        Console.WriteLine("// with scopes:    " + Format(_withScopes) + " bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _json.Dispose();
        _buffer.Dispose();
        _serializer.Dispose();
        _formatted.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Representative() => Format(_representative);

    [Benchmark]
    public int WithException() => Format(_withException);

    [Benchmark]
    public int WithScopes() => Format(_withScopes);

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int Batch_Representative()
    {
        _formatted.Clear();
        foreach (var logEvent in _batch)
            _formatted.Add(logEvent, _serializer.Serialize(logEvent, out _, out _));
        return _formatted.Count;
    }

    int Format(LogEvent logEvent)
    {
        _buffer.Clear();
        _json.Reset(_buffer);
        _formatter.Write(_json, logEvent, _eventId);
        _json.Flush();
        return _buffer.WrittenCount;
    }
}
