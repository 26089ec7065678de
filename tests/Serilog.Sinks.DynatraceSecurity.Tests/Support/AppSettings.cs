using System;
using System.IO;
using System.Text;
using Microsoft.Extensions.Configuration;
using Serilog.Core;
using Serilog.Sinks.DynatraceSecurity.Configuration;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>Real <c>appsettings.json</c> text read through a real <see cref="ConfigurationBuilder"/> and <c>ReadFrom.Configuration</c>.</summary>
static class AppSettings
{
    public static IConfiguration FromJson(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    public static Logger CreateLogger(string json) => CreateLogger(FromJson(json));

    public static Logger CreateLogger(IConfiguration configuration) =>
        new LoggerConfiguration().ReadFrom.Configuration(configuration).CreateLogger();

    /// <summary>Builds the logger and returns it with the validated settings the sink was created with.</summary>
    public static (Logger Logger, SinkSettings Settings) CreateLoggerWithSettings(string json)
    {
        SinkSettings? captured = null;
        DynatraceSecurityLoggerConfigurationExtensions.SettingsCreated.Value = settings => captured = settings;
        try
        {
            var logger = CreateLogger(json);
            return (logger, captured ?? throw new InvalidOperationException("ReadFrom.Configuration created no DynatraceSecurity sink."));
        }
        finally
        {
            DynatraceSecurityLoggerConfigurationExtensions.SettingsCreated.Value = null;
        }
    }
}
