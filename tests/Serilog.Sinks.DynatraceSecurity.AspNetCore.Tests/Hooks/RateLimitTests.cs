using System.Linq;
using System.Net;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Hooks;

/// <summary>excess_rate_limit_exceeded: every rejection of the rate-limiting middleware, with flood control.</summary>
public class RateLimitTests
{
    [Fact]
    public async Task ABurstGivesPerClientAddressMaxEventsThenOneSummaryAndAPolicyWithItsOwnOnRejectedIsReportedToo()
    {
        var counters = new AppCounters();
        await using var app = await FullApp.StartAsync(counters, o => o.FloodControl.MaxEvents = 3); // window: 1 minute
        var bursts = new[] { (From: "203.0.113.41", Rejected: 6), (From: "203.0.113.42", Rejected: 4) };
        foreach (var (from, rejected) in bursts)
        {
            for (var i = 0; i < FullApp.SearchPermits + rejected; i++)
            {
                using var response = await app.GetAsync("/api/search?q=secret-search-term", from);
                response.StatusCode.Should().Be(i < FullApp.SearchPermits ? HttpStatusCode.OK : HttpStatusCode.TooManyRequests);
            }
        }

        using (var first = await app.GetAsync("/api/export", "203.0.113.43"))
            first.StatusCode.Should().Be(HttpStatusCode.OK);
        using (var second = await app.GetAsync("/api/export", "203.0.113.43"))
            second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        var events = (await app.StopAsync()).OfType("excess_rate_limit_exceeded");

        foreach (var (from, rejected) in bursts)
        {
            var fromAddress = events.Where(e => e.Strings("actor.ips").SequenceEqual(new[] { from })).ToArray();
            var individual = fromAddress.Where(e => !e.Has("event.count")).ToArray();
            individual.Should().HaveCount(3);
            individual.Should().OnlyContain(e => e.GetString("event.reason") == "endpoint_limiter" &&
                                                  e.GetString("aspnetcore.rate_limiting.policy") == "search" &&
                                                  e.GetString("object.id") == "GET /api/search" &&
                                                  e.GetString("url.path") == "/api/search" &&
                                                  e.GetString("finding.severity") == "MEDIUM");
            var summary = fromAddress.Where(e => e.Has("event.count")).Should().ContainSingle().Subject;
            summary.Long("event.count").Should().Be(rejected - 3, "a summary stands for the occurrences not written individually");
            summary.GetString("finding.title").Should().Be($"{rejected - 3} more excess_rate_limit_exceeded from {from} not reported individually");
            summary.GetString("object.type").Should().Be("PROCESS", "a summary is about the app");
            summary.Has("event.start").Should().BeTrue();
            summary.Has("event.end").Should().BeTrue();
            fromAddress.Sum(e => e.Long("event.count") ?? 1).Should().Be(rejected, "sum(coalesce(event.count, 1)) counts every occurrence once");
        }

        var export = events.Single(e => e.Strings("actor.ips").SequenceEqual(new[] { "203.0.113.43" }));
        export.GetString("aspnetcore.rate_limiting.policy").Should().Be("export");
        counters.PolicyOnRejected.Should().Be(1, "the policy's own OnRejected still runs");
        counters.GlobalOnRejected.Should().Be(10, "the app's global OnRejected still runs for the other rejections");
        app.ShouldAllBeAccepted();
        app.ShouldNotHaveSent("secret-search-term");
    }
}
