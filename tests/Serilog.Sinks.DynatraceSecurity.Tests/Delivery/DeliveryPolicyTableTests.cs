using System;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Delivery;
using Serilog.Sinks.DynatraceSecurity.Http;
using Serilog.Sinks.DynatraceSecurity.Pipeline;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Delivery;

/// <summary>The delivery policy row by row, as docs/delivery.md's table states it: no network, no clock.</summary>
public class DeliveryPolicyTableTests
{
    static string Decide(IngestResult result, int events = 10, int length = 5000, bool compressed = false, bool gzipProven = false,
        int provenFits = 0, int tooLargeAnswers = 0, DeliveryMode mode = DeliveryMode.Live) =>
        DeliveryPolicy.Decide(result, events, length, compressed, gzipProven, provenFits,
            tooLargeAnswers + (result.StatusCode == 413 ? 1 : 0), mode, backoff: TimeSpan.FromSeconds(1)).ToString();

    /// <summary>The decision on a failure after <paramref name="failingFor"/> of failures, with the backoff drawn for it.</summary>
    static Decision AfterFailure(IngestResult result, TimeSpan backoff, TimeSpan failingFor, TimeSpan retryTimeLimit, bool shuttingDown = false,
        int events = 10) =>
        DeliveryPolicy.Decide(result, events, 5000, backoff: backoff, failingFor: failingFor, retryTimeLimit: retryTimeLimit,
            shuttingDown: shuttingDown);

    static IngestResult Status(int status) => IngestResult.Answered(status);

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(204)]
    public void A2xxIsDelivery(int status) => Decide(Status(status)).Should().Be("Delivered");

    [Theory]
    [InlineData(0)]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(501)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(507)]
    [InlineData(599)]
    public void NoAnswerATimeoutAnd408And429AndEvery5xxAreRetried(int status) => Decide(Status(status)).Should().Be("Retry(Transient)");

    [Fact]
    public void ATimeoutIsRetried() => Decide(IngestResult.Timeout()).Should().Be("Retry(Transient)");

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    public void TokenPermissionAndEndpointProblemsAreRetriedAsConfiguration(int status) =>
        Decide(Status(status)).Should().Be("Retry(Configuration)");

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public void ARedirectIsAConfigurationProblemNeverDelivery(int status) =>
        Decide(IngestResult.Answered(status, redirectHost: "login.example.com")).Should().Be("Retry(Configuration)");

    [Fact]
    public void A2xxFromAnotherHostIsNotDelivery() =>
        Decide(IngestResult.Answered(200, redirectHost: "login.example.com")).Should().Be("Retry(Configuration)");

    /// <summary>Audit mode throws at once, with the hint of the class batched delivery would retry the answer as.</summary>
    [Theory]
    [InlineData(0, "Transient")]
    [InlineData(408, "Transient")]
    [InlineData(429, "Transient")]
    [InlineData(503, "Transient")]
    [InlineData(401, "Configuration")]
    [InlineData(403, "Configuration")]
    [InlineData(404, "Configuration")]
    [InlineData(400, "None")]
    [InlineData(413, "None")]
    [InlineData(422, "None")]
    public void AuditModeClassifiesAnAnswerAsBatchedDeliveryRetriesIt(int status, string expected) =>
        DeliveryPolicy.ClassOf(Status(status)).ToString().Should().Be(expected);

    [Fact]
    public void AuditModeTakesARedirectAndAFailedTokenRequestAsConfiguration()
    {
        DeliveryPolicy.ClassOf(IngestResult.Answered(302, redirectHost: "login.example.com")).Should().Be(FailureClass.Configuration);
        DeliveryPolicy.ClassOf(IngestResult.Answered(200, redirectHost: "login.example.com")).Should().Be(FailureClass.Configuration);
        DeliveryPolicy.ClassOf(IngestResult.TokenFailure(401, "invalid_client", "invalid_client")).Should().Be(FailureClass.Configuration);
        DeliveryPolicy.ClassOf(IngestResult.TokenFailure(503, null)).Should().Be(FailureClass.Transient);
    }

    [Theory]
    [InlineData(405)]
    [InlineData(409)]
    [InlineData(422)]
    [InlineData(451)]
    public void OtherStatusesAreRejections(int status) => Decide(Status(status)).Should().Be("Drop(Rejected)");

    [Fact]
    public void A400IsBisectedUntilOneEventIsLeftThenThatEventIsRejected()
    {
        Decide(Status(400), events: 2).Should().Be("Bisect");
        Decide(Status(400), events: 1).Should().Be("Drop(Rejected)");
    }

    [Fact]
    public void GzipRefusalsAreResentUncompressed()
    {
        Decide(Status(415), compressed: true).Should().Be("ResendUncompressed");
        Decide(Status(415), compressed: false).Should().Be("Drop(Rejected)");
        Decide(Status(400), compressed: true).Should().Be("ResendUncompressed", "no compressed request was accepted yet");
        Decide(Status(400), compressed: true, gzipProven: true).Should().Be("Bisect", "gzip works here: the 400 is about content");
    }

    [Fact]
    public void A413ForARequestLargerThanAnyAcceptedCutsItSmaller() =>
        Decide(Status(413), length: 50_000, provenFits: 10_000).Should().Be("CutSmaller");

    [Fact]
    public void A413ForARequestNoLargerThanOneAcceptedIsRetriedBeforeItCounts()
    {
        Decide(Status(413), length: 8_000, provenFits: 10_000).Should().Be("Retry(TooLargeUnproven)");
        Decide(Status(413), length: 8_000, provenFits: 10_000, tooLargeAnswers: 1).Should().Be("Retry(TooLargeUnproven)");
        Decide(Status(413), length: 8_000, provenFits: 10_000, tooLargeAnswers: 2).Should().Be("CutSmaller", "three answers are proof");
    }

    [Fact]
    public void ASingleEventIsDroppedAsTooLargeOnlyWhenLargerThanAnyAcceptedAndRefusedThreeTimes()
    {
        Decide(Status(413), events: 1, length: 600, provenFits: 50_000, tooLargeAnswers: 10).Should().Be("Retry(TooLargeUnproven)",
            "larger requests were accepted: this 413 is not about size");
        Decide(Status(413), events: 1, length: 90_000, provenFits: 50_000).Should().Be("Retry(TooLargeUnproven)");
        Decide(Status(413), events: 1, length: 90_000, provenFits: 50_000, tooLargeAnswers: 2).Should().Be("Drop(TooLarge)");
    }

    [Fact]
    public void RetriesWaitTheBackoffUnlessTheEndpointAsksForLonger()
    {
        var backoff = TimeSpan.FromSeconds(2);
        var limit = TimeSpan.FromMinutes(10);

        var plain = AfterFailure(Status(503), backoff, TimeSpan.Zero, limit, shuttingDown: false);
        plain.Action.Should().Be(DeliveryAction.Retry);
        plain.Delay.Should().Be(backoff);
        plain.PaceEveryone.Should().BeNull();

        var asked = AfterFailure(IngestResult.Answered(429, retryAfter: TimeSpan.FromSeconds(30)), backoff, TimeSpan.Zero, limit, false);
        asked.Delay.Should().Be(TimeSpan.FromSeconds(30));
        asked.PaceEveryone.Should().Be(TimeSpan.FromSeconds(30), "every later request waits too");

        var tooLong = AfterFailure(IngestResult.Answered(503, retryAfter: TimeSpan.FromHours(2)), backoff, TimeSpan.Zero, limit, false);
        tooLong.Delay.Should().Be(DeliveryPolicy.MaximumRetryAfter);

        var ignored = AfterFailure(IngestResult.Answered(500, retryAfter: TimeSpan.FromSeconds(30)), backoff, TimeSpan.Zero, limit, false);
        ignored.Delay.Should().Be(backoff, "Retry-After is honoured on 429 and 503");
    }

    [Fact]
    public void TheLastWaitIsShortenedToEndAtTheRetryTimeLimitAndTheRequestIsGivenUpOnlyOnceTheLimitHasPassed()
    {
        var limit = TimeSpan.FromMinutes(10);
        var backoff = TimeSpan.FromSeconds(60);

        var last = AfterFailure(Status(503), backoff, TimeSpan.FromSeconds(585), limit, false);
        last.Action.Should().Be(DeliveryAction.Retry, "15 s of the limit are left");
        last.Delay.Should().Be(TimeSpan.FromSeconds(15), "the last attempt comes at the limit, not after it");

        AfterFailure(Status(503), backoff, limit - TimeSpan.FromTicks(1), limit, false).Delay.Should().Be(TimeSpan.FromTicks(1));
        var atTheLimit = AfterFailure(Status(503), backoff, limit, limit, false);
        atTheLimit.Action.Should().Be(DeliveryAction.GiveUp);
        atTheLimit.Reason.Should().Be(DropReason.RetryTimeLimitExceeded);
        AfterFailure(Status(503), backoff, TimeSpan.Zero, TimeSpan.Zero, false).Action.Should().Be(DeliveryAction.GiveUp, "retryTimeLimit 0 turns retries off");
    }

    [Fact]
    public void ARetryAfterThatEndsAfterTheRetryTimeLimitGivesTheRequestUpAtOnceAndStillHolds()
    {
        var limit = TimeSpan.FromMinutes(10);
        AfterFailure(IngestResult.Answered(429, retryAfter: TimeSpan.FromSeconds(60)), TimeSpan.FromSeconds(1),
            TimeSpan.FromMinutes(9), limit, false).Delay.Should().Be(TimeSpan.FromSeconds(60), "a Retry-After that ends at the limit is waited for");

        var late = AfterFailure(IngestResult.Answered(429, retryAfter: TimeSpan.FromSeconds(90)), TimeSpan.FromSeconds(1),
            TimeSpan.FromMinutes(9), limit, false);
        late.Action.Should().Be(DeliveryAction.GiveUp);
        late.Reason.Should().Be(DropReason.RetryTimeLimitExceeded);
        late.PaceEveryone.Should().Be(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void DuringShutdownAFailedAttemptIsTheLast()
    {
        var decision = AfterFailure(Status(503), TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromMinutes(10), shuttingDown: true);
        decision.Action.Should().Be(DeliveryAction.GiveUp);
        decision.Reason.Should().Be(DropReason.Shutdown);
    }

    [Fact]
    public void A401IsAConfigurationProblemAlsoAfterTheClientSentItAgainWithANewOAuthToken()
    {
        // The client renews a refused OAuth token and resends once by itself (HttpIngestClientTests); what comes back is
        // an answer like any other.
        Decide(Status(401).AfterReauthentication()).Should().Be("Retry(Configuration)");
        Decide(Status(202).AfterReauthentication()).Should().Be("Delivered");
    }

    [Fact]
    public void WithADurableBufferAFailedRequestGoesToDiskAndReplayingItStaysThere()
    {
        Decide(Status(503), mode: DeliveryMode.Durable).Should().Be("Spill(Transient)");
        Decide(Status(401), mode: DeliveryMode.Durable).Should().Be("Spill(Configuration)");
        Decide(IngestResult.TokenFailure(401, "x", "invalid_client"), mode: DeliveryMode.Durable).Should().Be("Spill(Configuration)");
        Decide(Status(503), mode: DeliveryMode.Replaying).Should().Be("Defer(Transient)");
        Decide(Status(400), events: 1, mode: DeliveryMode.Replaying).Should().Be("Drop(Rejected)", "a rejection is final wherever it comes from");
        Decide(Status(413), length: 8_000, provenFits: 10_000, mode: DeliveryMode.Durable).Should().Be("Retry(TooLargeUnproven)",
            "a doubtful 413 is tried again in memory: the disk would not make it smaller");
        Decide(Status(413), length: 8_000, provenFits: 10_000, mode: DeliveryMode.Replaying).Should().Be("Retry(TooLargeUnproven)");
    }

    [Fact]
    public void ARetryAfterHoldsBackEveryRequestAlsoWhenTheRequestGoesToDisk() =>
        DeliveryPolicy.Decide(IngestResult.Answered(503, retryAfter: TimeSpan.FromSeconds(30)), 10, 5000, mode: DeliveryMode.Durable)
            .PaceEveryone.Should().Be(TimeSpan.FromSeconds(30));

    [Fact]
    public void ADoubtful413ThatMayNotBeTriedAgainIsCutInHalvesOrGivenUpForASingleEvent()
    {
        var limit = TimeSpan.FromMinutes(1);
        var doubtful = IngestResult.Answered(413);
        DeliveryPolicy.Decide(doubtful, 10, 8_000, provenFitsBytes: 10_000, tooLargeAnswers: 1, failingFor: limit, retryTimeLimit: limit)
            .ToString().Should().Be("CutSmaller");
        DeliveryPolicy.Decide(doubtful, 1, 8_000, provenFitsBytes: 10_000, tooLargeAnswers: 1, failingFor: limit, retryTimeLimit: limit)
            .ToString().Should().Be("GiveUp(RetryTimeLimitExceeded)");
        DeliveryPolicy.Decide(doubtful, 10, 8_000, provenFitsBytes: 10_000, tooLargeAnswers: 1, shuttingDown: true)
            .ToString().Should().Be("CutSmaller");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public void ATokenRequestWithoutAnAnswerOrWithA5xxIsRetriedAsTransient(int status) =>
        Decide(IngestResult.TokenFailure(status, "x")).Should().Be("Retry(Transient)");

    [Fact]
    public void ATokenRequestThatTimedOutIsRetriedAsTransient() =>
        Decide(IngestResult.TokenFailure(0, null, timedOut: true)).Should().Be("Retry(Transient)");

    [Theory]
    [InlineData(400, "invalid_client")]
    [InlineData(401, "invalid_client")]
    [InlineData(400, "invalid_scope")]
    [InlineData(400, "unauthorized_client")]
    [InlineData(400, "invalid_request")]
    [InlineData(401, null)]
    [InlineData(403, null)]
    [InlineData(404, null)]
    [InlineData(200, null)]
    public void ATokenRequestRefusedForTheClientsSettingsIsAConfigurationProblemAndDropsNothing(int status, string? error)
    {
        // The events were never sent: even a single event or a 400 never makes them count as rejected.
        Decide(IngestResult.TokenFailure(status, "x", error), events: 1).Should().Be("Retry(Configuration)");
        Decide(IngestResult.TokenFailure(status, "x", error), events: 10).Should().Be("Retry(Configuration)");
    }

    [Fact]
    public void ATokenEndpointThatRedirectsIsAConfigurationProblem() =>
        Decide(IngestResult.TokenFailure(503, null, redirectHost: "login.example.com")).Should().Be("Retry(Configuration)");

    [Fact]
    public void ATokenEndpointsRetryAfterPacesLikeTheIngestEndpoints()
    {
        var decision = AfterFailure(IngestResult.TokenFailure(429, null, retryAfter: TimeSpan.FromSeconds(20)),
            TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromMinutes(10), shuttingDown: false);

        decision.Delay.Should().Be(TimeSpan.FromSeconds(20));
        decision.PaceEveryone.Should().Be(TimeSpan.FromSeconds(20), "every request needs a token");
    }
}
