using Serilog.Sinks.DynatraceSecurity.Tests.Shared;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Testing.Tests.Api;

public class PublicApiTests
{
    [Fact]
    public void PublicApiIsApproved() => ApprovedApi.Verify(typeof(DynatraceIngestReceiver).Assembly);
}
