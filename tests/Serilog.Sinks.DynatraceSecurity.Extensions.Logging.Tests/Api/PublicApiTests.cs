using Microsoft.Extensions.Logging;
using Serilog.Sinks.DynatraceSecurity.Tests.Shared;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Extensions.Logging.Tests.Api;

public class PublicApiTests
{
    [Fact]
    public void PublicApiIsApproved() => ApprovedApi.Verify(typeof(DynatraceSecurityLoggingBuilderExtensions).Assembly);
}
