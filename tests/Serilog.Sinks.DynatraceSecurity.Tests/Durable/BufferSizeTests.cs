using System;
using System.IO;
using System.Text;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Durable;

/// <summary>
/// The buffer's size for its limit, on a fake clock: a long outage leaves thousands of files, and listing them all for
/// every write made each write cost one stat per file. Far from the limit a listing serves a second of writes; near
/// it, every write looks again, so the limit holds. Seen through what the directory reports (KnownBytes, the health
/// check's figure) and what it refuses; "another process" is a file the test drops into the directory.
/// </summary>
public sealed class BufferSizeTests : IDisposable
{
    const string Destination = "https://abc12345.live.dynatrace.com/platform/ingest/v1/security.events";

    readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    readonly TemporaryDirectory _directory = new();
    readonly FormattedBatch _batch = new();
    readonly PooledBufferWriter _body = new();
    readonly long _fileBytes;

    public BufferSizeTests()
    {
        _batch.Add(null, _clock.GetUtcNow(), Encoding.UTF8.GetBytes(TestBuffer.EventJson(1)));
        var measure = Open("measure", 1024 * 1024);
        Write(measure).Should().BeNull();
        _fileBytes = measure.KnownBytes;
    }

    string BufferPath(string name) => Path.Combine(_directory.Path, name);

    BufferDirectory Open(string name, long limit) => BufferDirectory.Open(BufferPath(name), Destination, limit, _clock).Directory;

    string? Write(BufferDirectory buffer) => buffer.TryWrite(_batch, EventSet.Range(0, 1), _body, out _);

    string AnotherProcessWrites(BufferDirectory buffer, long bytes)
    {
        var path = Path.Combine(buffer.Path, $"{Guid.NewGuid():N}.dtsb");
        File.WriteAllBytes(path, new byte[bytes]);
        return path;
    }

    [Fact]
    public void FarFromTheLimitOneListingServesASecondOfWrites()
    {
        var buffer = Open("buffer", 1024 * 1024);
        Write(buffer).Should().BeNull();
        buffer.KnownBytes.Should().Be(_fileBytes);

        AnotherProcessWrites(buffer, 300);
        Write(buffer).Should().BeNull();
        buffer.KnownBytes.Should().Be(2 * _fileBytes, "the listing plus what this logger wrote since");

        _clock.Advance(BufferDirectory.ListingReusedFor);
        Write(buffer).Should().BeNull();
        buffer.KnownBytes.Should().Be(3 * _fileBytes + 300, "a listing is reused for a second at most");
    }

    [Fact]
    public void FromHalfTheLimitEveryWriteLooksAgain()
    {
        var buffer = Open("buffer", 10 * _fileBytes);
        AnotherProcessWrites(buffer, 5 * _fileBytes);
        Write(buffer).Should().BeNull();

        AnotherProcessWrites(buffer, 4 * _fileBytes); // another process filled it up
        Write(buffer).Should().Be($"the durable buffer is full ({10 * _fileBytes:N0} bytes, bufferSizeLimitBytes {10 * _fileBytes:N0})",
            "at half the limit the directory is listed again, and the other process's files count");
    }

    [Fact]
    public void FilesDeletedMeanwhileCountAgainOnlyAfterTheNextListing()
    {
        var buffer = Open("buffer", 10 * _fileBytes);
        var other = AnotherProcessWrites(buffer, 3 * _fileBytes);
        Write(buffer).Should().BeNull();

        File.Delete(other); // the replayer delivered it
        Write(buffer).Should().BeNull();
        buffer.KnownBytes.Should().Be(5 * _fileBytes, "until the next listing the estimate errs on the full side");
        _clock.Advance(BufferDirectory.ListingReusedFor);
        Write(buffer).Should().BeNull();
        buffer.KnownBytes.Should().Be(3 * _fileBytes);
    }

    public void Dispose()
    {
        _batch.Dispose();
        _body.Dispose();
        _directory.Dispose();
    }
}
