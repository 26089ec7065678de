using System;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Sinks.DynatraceSecurity.Durable;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Durable;

/// <summary>
/// The buffer's size for its limit, on a fake clock: a long outage leaves thousands of files, and listing them all for
/// every write made each write cost one stat per file. Far from the limit a listing serves a second of writes; near
/// it, every write looks again, so the limit holds.
/// </summary>
public sealed class BufferSizeTests
{
    const long Limit = 1000;

    readonly FakeTimeProvider _clock = new();
    int _listings;
    long _onDisk;

    BufferSize Create() => new(() =>
    {
        _listings++;
        return _onDisk;
    }, Limit, _clock);

    [Fact]
    public void FarFromTheLimitOneListingServesASecondOfWrites()
    {
        var size = Create();

        for (var i = 0; i < 4; i++)
        {
            size.Current().Should().Be(i * 10L, "the listing plus what this logger wrote since");
            size.Wrote(10);
            _onDisk += 10;
        }

        _listings.Should().Be(1);
        _clock.Advance(BufferSize.ListingReusedFor);
        _onDisk += 300; // another process wrote meanwhile
        size.Current().Should().Be(340);
        _listings.Should().Be(2, "a listing is reused for a second at most");
    }

    [Fact]
    public void FromHalfTheLimitOnEveryWriteLooksAgain()
    {
        var size = Create();
        _onDisk = 400;
        size.Current().Should().Be(400);

        size.Wrote(100);
        _onDisk = 900; // another process filled it up
        size.Current().Should().Be(900, "at half the limit the directory is listed again, and the other process's files count");
        size.Current().Should().Be(900);

        _listings.Should().Be(3);
    }

    [Fact]
    public void FilesDeletedMeanwhileCountAgainOnlyAfterTheNextListing()
    {
        var size = Create();
        _onDisk = 300;
        size.Current().Should().Be(300);

        _onDisk = 0; // the replayer delivered them
        size.Current().Should().Be(300, "until the next listing the estimate errs on the full side");
        _clock.Advance(BufferSize.ListingReusedFor);
        size.Current().Should().Be(0);
    }
}
