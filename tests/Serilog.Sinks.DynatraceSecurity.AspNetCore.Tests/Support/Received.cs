using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using FluentAssertions;
using Serilog.Sinks.DynatraceSecurity.Testing;

namespace Serilog.Sinks.DynatraceSecurity.AspNetCore.Tests.Support;

/// <summary>Reading the events the receiver accepted.</summary>
static class Received
{
    public static IReadOnlyList<ReceivedEvent> OfType(this IEnumerable<ReceivedEvent> events, string findingType) =>
        events.Where(e => e.GetString("finding.type") == findingType).ToArray();

    public static string[] Strings(this ReceivedEvent received, string key) =>
        received.Json.TryGetProperty(key, out var array) ? array.EnumerateArray().Select(e => e.GetString()!).ToArray() : new string[0];

    public static long? Long(this ReceivedEvent received, string key) =>
        received.Json.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    public static bool Has(this ReceivedEvent received, string key) => received.Json.TryGetProperty(key, out _);

    /// <summary>
    /// Every request the sink sent was accepted: the receiver refuses an event without any of the nine fields the
    /// Threats &amp; Exploits app needs (RequireSecurityAppFields), so this also proves those are all there.
    /// </summary>
    public static void ShouldAllBeAccepted(this TestApp app) =>
        app.Receiver.Requests.Should().OnlyContain(r => r.StatusCode >= 200 && r.StatusCode < 300,
            "every event carries the fields the security apps need: {0}", string.Join("\n", app.Receiver.Requests));

    /// <summary>Nothing the sink sent holds any of <paramref name="secrets"/>.</summary>
    public static void ShouldNotHaveSent(this TestApp app, params string[] secrets)
    {
        var sent = app.AllSentText();
        foreach (var secret in secrets)
            sent.Should().NotContain(secret);
    }
}
