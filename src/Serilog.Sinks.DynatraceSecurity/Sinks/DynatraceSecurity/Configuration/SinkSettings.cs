using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Runtime.InteropServices;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// The sink's settings after validation: everything the pipeline needs, in the form it needs it. Built from
/// <see cref="DynatraceSecurityOptions"/> (audit mode: the batching values keep their defaults and are not used) or
/// <see cref="DynatraceSecuritySinkOptions"/> (batched mode).
/// </summary>
internal sealed class SinkSettings
{
    static readonly DynatraceSecuritySinkOptions BatchingDefaults = new();

    SinkSettings(DynatraceSecurityOptions options, DynatraceSecuritySinkOptions? batched, IngestTarget target, Credentials credentials)
    {
        var batching = batched ?? BatchingDefaults;
        Target = target;
        Token = credentials.Token;
        OAuthClient = credentials.OAuthClient;
        RestrictedToMinimumLevel = options.RestrictedToMinimumLevel;
        LevelSwitch = options.LevelSwitch;
        MarkerProperty = options.MarkerProperty;
        DefaultEventType = options.DefaultEventType;
        EventProvider = options.EventProvider;
        ProductName = options.ProductName;
        ProductVendor = options.ProductVendor;
        StaticAttributes = new List<KeyValuePair<string, string>>(options.StaticAttributes ?? new Dictionary<string, string>());
        MessageHandler = options.MessageHandler;
        RequestTimeout = options.RequestTimeout;
        RedactedProperties = options.RedactedProperties ?? DynatraceSecurityOptions.DefaultRedactedProperties;
        PropertyNames = new Dictionary<string, string>(options.PropertyNames ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        EnrichmentDirectory = options.EnrichmentDirectory;
        // In batched mode never more than fits in a request body with its brackets.
        EventBodyLimitBytes = batched == null ? options.EventBodyLimitBytes : Math.Min(options.EventBodyLimitBytes, batched.BatchSizeLimitBytes - 2);

        BatchSizeLimit = batching.BatchSizeLimit;
        BatchSizeLimitBytes = batching.BatchSizeLimitBytes;
        BufferingTimeLimit = batching.BufferingTimeLimit;
        QueueLimit = batching.QueueLimit;
        QueueLimitBytes = batching.QueueLimitBytes;
        RetryTimeLimit = batching.RetryTimeLimit;
        ShutdownTimeout = batching.ShutdownTimeout;
        Compression = batching.Compression;
        UndeliveredEventsPath = batching.UndeliveredEventsPath;
        UndeliveredEventsSizeLimitBytes = batching.UndeliveredEventsSizeLimitBytes;
        BufferPath = batching.BufferPath;
        BufferSizeLimitBytes = batching.BufferSizeLimitBytes;
    }

    public IngestTarget Target { get; }
    /// <summary>The fixed access or platform token; null when <see cref="OAuthClient"/> is used.</summary>
    public AccessToken? Token { get; }

    /// <summary>The OAuth client whose tokens authenticate requests; null when <see cref="Token"/> is used.</summary>
    public OAuthClient? OAuthClient { get; }
    public LogEventLevel RestrictedToMinimumLevel { get; }
    public LoggingLevelSwitch? LevelSwitch { get; }
    public string MarkerProperty { get; }
    public string DefaultEventType { get; }
    public string? EventProvider { get; }
    public string? ProductName { get; }
    public string? ProductVendor { get; }
    public IReadOnlyList<KeyValuePair<string, string>> StaticAttributes { get; }
    public HttpMessageHandler? MessageHandler { get; }
    public TimeSpan RequestTimeout { get; }
    public IReadOnlyList<string> RedactedProperties { get; }
    public int EventBodyLimitBytes { get; }
    public IReadOnlyDictionary<string, string> PropertyNames { get; }

    /// <summary>Where to read Dynatrace's enrichment files: null for the platform's directory, empty for none.</summary>
    public string? EnrichmentDirectory { get; }

    public int BatchSizeLimit { get; }
    public int BatchSizeLimitBytes { get; }
    public TimeSpan BufferingTimeLimit { get; }
    public int QueueLimit { get; }
    public long QueueLimitBytes { get; }
    public TimeSpan RetryTimeLimit { get; }
    public TimeSpan ShutdownTimeout { get; }
    public DynatraceSecurityCompression Compression { get; }
    public string? UndeliveredEventsPath { get; }
    public long UndeliveredEventsSizeLimitBytes { get; }
    public string? BufferPath { get; }
    public long BufferSizeLimitBytes { get; }

    /// <summary>
    /// Validates <paramref name="options"/> (and, for <see cref="DynatraceSecuritySinkOptions"/>, the batching options)
    /// and throws an <see cref="ArgumentException"/> that says what to fix.
    /// </summary>
    public static SinkSettings From(DynatraceSecurityOptions options)
    {
        if (options == null) throw new ArgumentNullException(nameof(options));

        var target = IngestTarget.Create(options.EnvironmentUrl, options.Route, options.Endpoint);
        var credentials = Credentials.From(options, target);

        RequireBetween(options.EventBodyLimitBytes, 512, Maxima.BatchSizeLimitBytes, nameof(options.EventBodyLimitBytes), "262144, 256 KiB");
        RequireBetween(options.RequestTimeout, TimeSpan.Zero, false, Maxima.RequestTimeout, nameof(options.RequestTimeout), "00:00:30");
        RequireText(options.MarkerProperty, nameof(options.MarkerProperty));
        RequireText(options.DefaultEventType, nameof(options.DefaultEventType));
        if (!Enum.IsDefined(typeof(LogEventLevel), options.RestrictedToMinimumLevel))
            throw new ArgumentOutOfRangeException(nameof(options.RestrictedToMinimumLevel), options.RestrictedToMinimumLevel,
                "RestrictedToMinimumLevel must be one of Verbose, Debug, Information, Warning, Error, Fatal.");
        RequireNames(options);

        var batched = options as DynatraceSecuritySinkOptions;
        if (batched != null)
            ValidateBatching(batched);

        return new SinkSettings(options, batched, target, credentials);
    }

    static void ValidateBatching(DynatraceSecuritySinkOptions options)
    {
        RequireBetween(options.BatchSizeLimit, 1, Maxima.BatchSizeLimit, nameof(options.BatchSizeLimit), "1000");
        RequireBetween(options.QueueLimit, 1, Maxima.QueueLimit, nameof(options.QueueLimit), "100000");
        // A request body holds at least "[", one event and "]"; below a kilobyte nothing useful fits.
        RequireBetween(options.BatchSizeLimitBytes, 1024, Maxima.BatchSizeLimitBytes, nameof(options.BatchSizeLimitBytes),
            "1000000; OpenPipeline refuses requests over 10 MB");
        RequireBetween(options.QueueLimitBytes, 1, Maxima.QueueLimitBytes, nameof(options.QueueLimitBytes), "67108864, 64 MiB");
        RequireBetween(options.UndeliveredEventsSizeLimitBytes, Minima.UndeliveredEventsSizeLimitBytes, Maxima.UndeliveredEventsSizeLimitBytes,
            nameof(options.UndeliveredEventsSizeLimitBytes), "104857600, 100 MiB");
        RequireBetween(options.BufferSizeLimitBytes, Minima.UndeliveredEventsSizeLimitBytes, Maxima.BufferSizeLimitBytes,
            nameof(options.BufferSizeLimitBytes), "268435456, 256 MiB");
        RequireBetween(options.BufferingTimeLimit, TimeSpan.Zero, false, Maxima.BufferingTimeLimit, nameof(options.BufferingTimeLimit), "00:00:02");
        RequireBetween(options.RetryTimeLimit, TimeSpan.Zero, true, Maxima.RetryTimeLimit, nameof(options.RetryTimeLimit),
            "00:10:00; TimeSpan.Zero turns retries off; Dynatrace drops events older than 24 hours");
        RequireBetween(options.ShutdownTimeout, TimeSpan.Zero, false, Maxima.ShutdownTimeout, nameof(options.ShutdownTimeout), "00:00:10");
        if (options.Compression is not (DynatraceSecurityCompression.None or DynatraceSecurityCompression.Gzip))
            throw new ArgumentOutOfRangeException(nameof(options.Compression), options.Compression, "Compression must be None or Gzip.");
        RequirePathOrNull(options.UndeliveredEventsPath, nameof(options.UndeliveredEventsPath), "a file path, or null (left out) for no undelivered-events file");
        RequirePathOrNull(options.BufferPath, nameof(options.BufferPath), "a directory path, or null (left out) for no durable buffer");
        if (options.UndeliveredEventsPath != null && options.BufferPath != null && IsInside(options.UndeliveredEventsPath, options.BufferPath))
            throw new ArgumentException(
                $"UndeliveredEventsPath '{options.UndeliveredEventsPath}' is inside BufferPath '{options.BufferPath}': that directory belongs to " +
                "the durable buffer, whose replayer moves and deletes what it finds there. Put the undelivered-events file outside it.",
                nameof(options.UndeliveredEventsPath));
    }

    static void RequirePathOrNull(string? path, string name, string what)
    {
        if (path != null && string.IsNullOrWhiteSpace(path))
            throw new ArgumentException($"{name} must be {what}; an empty string is neither.", name);
    }

    /// <summary>Whether <paramref name="path"/> lies in <paramref name="directory"/> or below it (case-blind where file systems usually are).</summary>
    static bool IsInside(string path, string directory)
    {
        try
        {
            var root = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            var comparison = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            return Path.GetFullPath(path).StartsWith(root, comparison);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false; // opening the path says what is wrong with it
        }
    }

    static void RequireNames(DynatraceSecurityOptions options)
    {
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
    }

    static void RequireBetween(long value, long minimum, long maximum, string name, string defaultValue)
    {
        if (value < minimum || value > maximum)
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be between {minimum} and {maximum} (the default is {defaultValue}).");
    }

    static void RequireBetween(TimeSpan value, TimeSpan minimum, bool minimumAllowed, TimeSpan maximum, string name, string defaultValue)
    {
        if (value < minimum || (value == minimum && !minimumAllowed) || value > maximum)
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be {(minimumAllowed ? "at least" : "more than")} {minimum} and at most {maximum} (the default is {defaultValue}).");
    }

    static void RequireText(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException(name + " must be a non-empty string.", name);
    }
}
