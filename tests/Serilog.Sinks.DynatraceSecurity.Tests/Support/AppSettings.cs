using System;
using Microsoft.Extensions.Configuration;
using Serilog.Core;
using Serilog.Settings.Configuration;
using Serilog.Sinks.DynatraceSecurity.Tests.Shared;

namespace Serilog.Sinks.DynatraceSecurity.Tests.Support;

/// <summary>Real <c>appsettings.json</c> text read through a real <see cref="ConfigurationBuilder"/> and <c>ReadFrom.Configuration</c>.</summary>
static class AppSettings
{
    public static IConfiguration FromJson(string json) => TestHosts.JsonConfiguration(json);

    public static Logger CreateLogger(string json, Action<string, LoggingLevelSwitch>? onLevelSwitchCreated = null) =>
        CreateLogger(FromJson(json), onLevelSwitchCreated);

    public static Logger CreateLogger(IConfiguration configuration, Action<string, LoggingLevelSwitch>? onLevelSwitchCreated = null) =>
        new LoggerConfiguration()
            .ReadFrom.Configuration(configuration, new ConfigurationReaderOptions { OnLevelSwitchCreated = onLevelSwitchCreated })
            .CreateLogger();
}
