using Serilog.Sinks.DynatraceSecurity.Tests.Shared;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Api;

public class PublicApiTests
{
    [Fact]
    public void PublicApiIsApproved() => ApprovedApi.Verify(typeof(DynatraceSecuritySinkOptions).Assembly);
}
