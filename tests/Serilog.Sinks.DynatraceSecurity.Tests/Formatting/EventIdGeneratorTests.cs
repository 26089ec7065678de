using System;
using System.Collections.Generic;
using System.Linq;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Formatting;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Formatting;

public class EventIdGeneratorTests
{
    [Fact]
    public void IdsAreDistinctAcrossManySeedsAndGenerators()
    {
        var ids = new HashSet<Guid>();
        for (var generator = 0; generator < 4; generator++)
        {
            var ids1 = new EventIdGenerator();
            for (var i = 0; i < EventIdGenerator.IdsPerSeed * 3 + 17; i++)
                ids.Add(ids1.Next()).Should().BeTrue("every event.id is new");
        }
    }

    [Fact]
    public void IdsAreVersion4GuidsWhosePrefixChangesWithEachSeed()
    {
        var generator = new EventIdGenerator();
        var ids = Enumerable.Range(0, EventIdGenerator.IdsPerSeed * 2).Select(_ => generator.Next().ToString("N")).ToList();

        ids.Should().OnlyContain(id => id.Length == 32 && id[12] == '4' && "89ab".Contains(id[16]));
        var firstSeed = ids.Take(EventIdGenerator.IdsPerSeed).Select(id => id.Substring(0, 24)).Distinct().ToList();
        var secondSeed = ids.Skip(EventIdGenerator.IdsPerSeed).Select(id => id.Substring(0, 24)).Distinct().ToList();
        firstSeed.Should().ContainSingle();
        secondSeed.Should().ContainSingle().Which.Should().NotBe(firstSeed[0], "a new random prefix is drawn for each seed");
    }
}
