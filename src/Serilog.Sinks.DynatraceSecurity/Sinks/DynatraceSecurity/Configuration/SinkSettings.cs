using System;
using System.Collections.Generic;
using System.Net.Http;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// The sink's settings after validation: everything the pipeline needs, in the form it needs it.
/// </summary>
internal sealed class SinkSettings
{
    SinkSettings(DynatraceSecuritySinkOptions options, IngestTarget target, AccessToken token)
    {
        Target = target;
        Token = token;
        RestrictedToMinimumLevel = options.RestrictedToMinimumLevel;
        LevelSwitch = options.LevelSwitch;
        BatchSizeLimit = options.BatchSizeLimit;
        BatchSizeLimitBytes = options.BatchSizeLimitBytes;
        BufferingTimeLimit = options.BufferingTimeLimit;
        QueueLimit = options.QueueLimit;
        RetryTimeLimit = options.RetryTimeLimit;
        MarkerProperty = options.MarkerProperty;
        DefaultEventType = options.DefaultEventType;
        EventProvider = options.EventProvider;
        ProductName = options.ProductName;
        ProductVendor = options.ProductVendor;
        StaticAttributes = new List<KeyValuePair<string, string>>(options.StaticAttributes ?? new Dictionary<string, string>());
        MessageHandler = options.MessageHandler;
        RequestTimeout = options.RequestTimeout;
        QueueLimitBytes = options.QueueLimitBytes;
        ShutdownTimeout = options.ShutdownTimeout;
        RedactedProperties = options.RedactedProperties ?? (IReadOnlyList<string>)DynatraceSecuritySinkOptions.DefaultRedactedProperties;
        // Never more than fits in a request body with its brackets.
        EventBodyLimitBytes = (int)Math.Min(options.EventBodyLimitBytes, options.BatchSizeLimitBytes - 2);
        PropertyNames = new Dictionary<string, string>(options.PropertyNames ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        MinimumRetryDelay = options.MinimumRetryDelay;
        MaximumRetryDelay = options.MaximumRetryDelay;
        Compression = options.Compression;
        EnrichmentDirectory = options.EnrichmentDirectory;
    }

    public IngestTarget Target { get; }
    public AccessToken Token { get; }
    public LogEventLevel RestrictedToMinimumLevel { get; }
    public LoggingLevelSwitch? LevelSwitch { get; }
    public int BatchSizeLimit { get; }
    public long BatchSizeLimitBytes { get; }
    public TimeSpan BufferingTimeLimit { get; }
    public int QueueLimit { get; }
    public TimeSpan RetryTimeLimit { get; }
    public string MarkerProperty { get; }
    public string DefaultEventType { get; }
    public string? EventProvider { get; }
    public string? ProductName { get; }
    public string? ProductVendor { get; }
    public IReadOnlyList<KeyValuePair<string, string>> StaticAttributes { get; }
    public HttpMessageHandler? MessageHandler { get; }
    public TimeSpan RequestTimeout { get; }
    public long QueueLimitBytes { get; }
    public TimeSpan ShutdownTimeout { get; }
    public IReadOnlyList<string> RedactedProperties { get; }
    public int EventBodyLimitBytes { get; }
    public IReadOnlyDictionary<string, string> PropertyNames { get; }
    public TimeSpan MinimumRetryDelay { get; }
    public TimeSpan MaximumRetryDelay { get; }
    public DynatraceSecurityCompression Compression { get; }

    /// <summary>Where to read Dynatrace's enrichment files: null for the platform's directory, empty for none.</summary>
    public string? EnrichmentDirectory { get; }

    /// <summary>
    /// Validates <paramref name="options"/> and throws an <see cref="ArgumentException"/> that says what to fix.
    /// </summary>
    public static SinkSettings From(DynatraceSecuritySinkOptions options)
    {
        if (options == null) throw new ArgumentNullException(nameof(options));

        var target = IngestTarget.Create(options.EnvironmentUrl, options.Route, options.Endpoint);
        var token = AccessToken.Parse(options.AccessToken);

        RequirePositive(options.BatchSizeLimit, nameof(options.BatchSizeLimit));
        RequirePositive(options.QueueLimit, nameof(options.QueueLimit));
        // A request body holds at least "[", one event and "]"; below a few hundred bytes nothing useful fits.
        if (options.BatchSizeLimitBytes < 1024 || options.BatchSizeLimitBytes > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options.BatchSizeLimitBytes), options.BatchSizeLimitBytes,
                "BatchSizeLimitBytes must be between 1024 and 2147483647 bytes (the default is 1000000).");
        RequirePositive(options.BufferingTimeLimit, nameof(options.BufferingTimeLimit));
        if (options.RetryTimeLimit < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options.RetryTimeLimit), options.RetryTimeLimit,
                "RetryTimeLimit must not be negative (TimeSpan.Zero disables retries).");
        RequirePositive(options.RequestTimeout, nameof(options.RequestTimeout));
        RequirePositive(options.ShutdownTimeout, nameof(options.ShutdownTimeout));
        if (options.EventBodyLimitBytes < 512)
            throw new ArgumentOutOfRangeException(nameof(options.EventBodyLimitBytes), options.EventBodyLimitBytes,
                "EventBodyLimitBytes must be at least 512 bytes (the default is 262144, 256 KiB).");
        if (options.QueueLimitBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(options.QueueLimitBytes), options.QueueLimitBytes,
                "QueueLimitBytes must be greater than zero (the default is 67108864, 64 MiB).");
        RequireText(options.MarkerProperty, nameof(options.MarkerProperty));
        RequireText(options.DefaultEventType, nameof(options.DefaultEventType));
        if (!Enum.IsDefined(typeof(LogEventLevel), options.RestrictedToMinimumLevel))
            throw new ArgumentOutOfRangeException(nameof(options.RestrictedToMinimumLevel), options.RestrictedToMinimumLevel,
                "RestrictedToMinimumLevel must be one of Verbose, Debug, Information, Warning, Error, Fatal.");
        if (options.Compression is not (DynatraceSecurityCompression.None or DynatraceSecurityCompression.Gzip))
            throw new ArgumentOutOfRangeException(nameof(options.Compression), options.Compression,
                "Compression must be None or Gzip.");

        if (options.StaticAttributes != null)
        {
            foreach (var attribute in options.StaticAttributes)
            {
                if (string.IsNullOrWhiteSpace(attribute.Key))
                    throw new ArgumentException("StaticAttributes must not contain an empty attribute name.", nameof(options.StaticAttributes));
            }
        }

        if (options.PropertyNames != null)
        {
            foreach (var rename in options.PropertyNames)
            {
                if (string.IsNullOrWhiteSpace(rename.Key) || string.IsNullOrWhiteSpace(rename.Value))
                    throw new ArgumentException(
                        $"PropertyNames must map non-empty names to non-empty names; check the entry for '{rename.Key}'.",
                        nameof(options.PropertyNames));
            }
        }

        return new SinkSettings(options, target, token);
    }

    static void RequirePositive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, name + " must be greater than zero.");
    }

    static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(name, value, name + " must be greater than zero.");
    }

    static void RequireText(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException(name + " must be a non-empty string.", name);
    }
}
