using Serilog.Sinks.DynatraceSecurity.Tests.Shared;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Api;

public class PublicApiTests
{
    [Fact]
    public void PublicApiIsApproved() => ApprovedApi.Verify(typeof(SecurityEventsOptions).Assembly);
}
