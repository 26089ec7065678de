using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Testing;
using Serilog.Sinks.DynatraceSecurity.Tests.Support;
using Xunit;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Configuration;

/// <summary>
/// Each option is stated once, in the options classes: the flat <c>WriteTo</c> and <c>AuditTo</c> methods (and so the
/// JSON keys Serilog.Settings.Configuration binds to their parameters) have one parameter per property, of the same
/// name and type, and each parameter reaches its own property. An option added to one and not the other fails here.
/// </summary>
public class OptionsCorrespondenceTests
{
    /// <summary>A value each option refuses: the configuration error names the property the parameter reached.</summary>
    static readonly Dictionary<string, object> Refused = new()
    {
        ["environmentUrl"] = "ftp://abc12345.live.dynatrace.com",
        ["accessToken"] = "dt0c01.A B",
        ["endpoint"] = "contoso..identity",
        ["route"] = (DynatraceSecurityRoute)42,
        ["restrictedToMinimumLevel"] = (LogEventLevel)42,
        ["markerProperty"] = " ",
        ["defaultEventType"] = " ",
        ["staticAttributes"] = new Dictionary<string, string> { [" "] = "x" },
        ["requestTimeout"] = TimeSpan.Zero,
        ["propertyNames"] = new Dictionary<string, string> { ["UserName"] = " " },
        ["redactedProperties"] = new[] { "ssn", " " },
        ["eventBodyLimitBytes"] = 100,
        ["enrichmentDirectory"] = "",
        ["oauthClientId"] = "dt0s02.A B",
        ["oauthClientSecret"] = "dt0s02.A.B C",
        ["oauthTokenUrl"] = "ftp://sso.example.com/token",
        ["oauthScope"] = "openpipeline:\"x\"",
        ["oauthResource"] = "urn:other:x",
        ["batchSizeLimit"] = 0,
        ["batchSizeLimitBytes"] = 0,
        ["bufferingTimeLimit"] = TimeSpan.Zero,
        ["queueLimit"] = 0,
        ["retryTimeLimit"] = TimeSpan.FromSeconds(-1),
        ["queueLimitBytes"] = 0L,
        ["shutdownTimeout"] = TimeSpan.Zero,
        ["compression"] = (DynatraceSecurityCompression)42,
        ["undeliveredEventsPath"] = "",
        ["undeliveredEventsSizeLimitBytes"] = 0L,
        ["bufferPath"] = "",
        ["bufferSizeLimitBytes"] = 0L,
    };

    /// <summary>The options every value of which is valid: seen in what arrives (<see cref="ObservedParametersReachTheirOptions"/>).</summary>
    static readonly string[] Observed = { "levelSwitch", "eventProvider", "productName", "productVendor", "messageHandler" };

    public static TheoryData<string> Modes => new() { "WriteTo", "AuditTo" };

    static (MethodInfo Method, Type Options, object Configuration) Mode(string mode)
    {
        var (extensions, options, configuration) = mode == "WriteTo"
            ? (typeof(DynatraceSecurityLoggerConfigurationExtensions), typeof(DynatraceSecuritySinkOptions), (object)new LoggerConfiguration().WriteTo)
            : (typeof(DynatraceSecurityAuditLoggerConfigurationExtensions), typeof(DynatraceSecurityOptions), new LoggerConfiguration().AuditTo);
        return (extensions.GetMethods().Single(m => m.Name == "DynatraceSecurity" && m.GetParameters().Length > 2), options, configuration);
    }

    static PropertyInfo PropertyOf(Type options, ParameterInfo parameter) =>
        options.GetProperties().Single(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));

    [Theory]
    [MemberData(nameof(Modes))]
    public void EachParameterIsAnOptionOfTheSameNameAndTypeThatKeepsItsDefaultWhenLeftOut(string mode)
    {
        var (method, options, _) = Mode(mode);
        var parameters = method.GetParameters().Skip(1).ToList();

        parameters.Select(p => p.Name!.ToUpperInvariant()).Should().BeEquivalentTo(
            options.GetProperties().Where(p => p.CanWrite).Select(p => p.Name.ToUpperInvariant()),
            "every option is a parameter and every parameter an option");
        foreach (var parameter in parameters)
        {
            var type = PropertyOf(options, parameter).PropertyType;
            var nullable = type.IsValueType && Nullable.GetUnderlyingType(type) == null ? typeof(Nullable<>).MakeGenericType(type) : type;
            parameter.ParameterType.Should().Be(nullable, $"{parameter.Name} takes what its option takes, or null");
            parameter.HasDefaultValue.Should().BeTrue();
            parameter.DefaultValue.Should().BeNull($"left out, {parameter.Name} keeps the default its option states");
            char.IsLower(parameter.Name![0]).Should().BeTrue("parameters and JSON keys are camelCase");
        }

        parameters.Select(p => p.Name!).Should().BeSubsetOf(Refused.Keys.Concat(Observed), "each new option needs a row in this test");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EachParameterReachesItsOwnOption(string mode)
    {
        var (method, options, configuration) = Mode(mode);
        foreach (var parameter in method.GetParameters().Skip(1).Where(p => Refused.ContainsKey(p.Name!)))
        {
            var oauth = parameter.Name!.StartsWith("oauth", StringComparison.Ordinal);
            var arguments = method.GetParameters().Select(p => p.Name switch
            {
                _ when p.Position == 0 => configuration,
                _ when p.Name == parameter.Name => Refused[p.Name!],
                "environmentUrl" => "https://abc12345.live.dynatrace.com",
                "accessToken" when !oauth => TestOptions.ClassicToken,
                "oauthClientId" when oauth => "dt0s02.CLIENT",
                "oauthClientSecret" when oauth => "dt0s02.CLIENT.SECRET",
                "enrichmentDirectory" => "none",
                _ => null,
            }).ToArray();

            var act = () => method.Invoke(null, arguments);

            act.Should().Throw<TargetInvocationException>($"{parameter.Name} is refused")
                .WithInnerException<ArgumentException>().Which.ParamName.Should().Be(PropertyOf(options, parameter).Name);
        }
    }

    [Fact]
    public async Task ObservedParametersReachTheirOptions()
    {
        await using var receiver = await DynatraceIngestReceiver.StartAsync();
        var batched = new CountingHandler();
        var audit = new CountingHandler();
        var levelSwitch = new LoggingLevelSwitch(LogEventLevel.Error);
        Func<LoggerSinkConfiguration, LoggerConfiguration> writeTo = w => w.DynatraceSecurity(receiver.EnvironmentUrl.ToString(),
            receiver.AccessToken, "contoso.batched", levelSwitch: levelSwitch, eventProvider: "Contoso.Provider", productName: "Contoso Product",
            productVendor: "Contoso", messageHandler: batched, enrichmentDirectory: "none");
        Func<LoggerAuditSinkConfiguration, LoggerConfiguration> auditTo = a => a.DynatraceSecurity(receiver.EnvironmentUrl.ToString(),
            receiver.AccessToken, "contoso.audit", levelSwitch: levelSwitch, eventProvider: "Contoso.Provider", productName: "Contoso Product",
            productVendor: "Contoso", messageHandler: audit, enrichmentDirectory: "none");

        foreach (var logger in new[] { writeTo(new LoggerConfiguration().WriteTo).CreateLogger(), auditTo(new LoggerConfiguration().AuditTo).CreateLogger() })
        {
            logger.ForSecurityEvent().Warning("below the switch");
            logger.ForSecurityEvent().Error("at the switch");
            await logger.DisposeAsync();
        }

        receiver.Events.Should().HaveCount(2);
        receiver.Events.Select(e => e.Request.Endpoint).Should().BeEquivalentTo("contoso.batched", "contoso.audit");
        foreach (var received in receiver.Events)
        {
            received.GetString("event.description").Should().Be("at the switch");
            received.GetString("event.provider").Should().Be("Contoso.Provider");
            received.GetString("product.name").Should().Be("Contoso Product");
            received.GetString("product.vendor").Should().Be("Contoso");
        }

        batched.Requests.Should().Be(1);
        audit.Requests.Should().Be(1);
    }

    sealed class CountingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
