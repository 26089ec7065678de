using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Runtime.InteropServices;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.DynatraceSecurity.Formatting;

namespace Serilog.Sinks.DynatraceSecurity.Configuration;

/// <summary>
/// The sink's settings after validation, from <see cref="DynatraceSecurityOptions"/> (audit mode: the batching values
/// keep their unused defaults) or <see cref="DynatraceSecuritySinkOptions"/>. Every rule and limit is checked here, once;
/// a setting that breaks one throws an <see cref="ArgumentException"/> that says what to fix.
/// </summary>
internal sealed class SinkSettings
{
    // Every default as the options state it: for what audit mode does not use, and for messages.
    static readonly DynatraceSecuritySinkOptions Defaults = new();
    const int DefaultEventBodyLimitBytes = 256 * 1024;

    SinkSettings(DynatraceSecurityOptions options)
    {
        var batched = options as DynatraceSecuritySinkOptions;
        var batching = batched ?? Defaults;

        Target = IngestUri(options);
        IsCustomEndpoint = options.Endpoint != null;
        Credentials = Credentials.From(options, IsCustomEndpoint);

        RequestTimeout = Time(options.RequestTimeout, zeroAllowed: false, TimeSpan.FromMinutes(10), nameof(options.RequestTimeout),
            Defaults.RequestTimeout);
        MarkerProperty = RequireText(options.MarkerProperty, nameof(options.MarkerProperty));
        DefaultEventType = RequireText(options.DefaultEventType, nameof(options.DefaultEventType));
        if (!Enum.IsDefined(typeof(LogEventLevel), options.RestrictedToMinimumLevel))
            throw new ArgumentOutOfRangeException(nameof(options.RestrictedToMinimumLevel), options.RestrictedToMinimumLevel,
                "RestrictedToMinimumLevel must be one of Verbose, Debug, Information, Warning, Error, Fatal.");
        RestrictedToMinimumLevel = options.RestrictedToMinimumLevel;
        LevelSwitch = options.LevelSwitch;
        EventProvider = options.EventProvider ?? ApplicationName();
        ProductName = options.ProductName;
        ProductVendor = options.ProductVendor;
        StaticAttributes = new List<KeyValuePair<string, string>>(options.StaticAttributes ?? new Dictionary<string, string>());
        if (StaticAttributes.Any(attribute => string.IsNullOrWhiteSpace(attribute.Key)))
            throw new ArgumentException("StaticAttributes must not contain an empty attribute name.", nameof(options.StaticAttributes));

        PropertyNames = new Dictionary<string, string>(options.PropertyNames ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var rename in PropertyNames)
        {
            if (string.IsNullOrWhiteSpace(rename.Key) || string.IsNullOrWhiteSpace(rename.Value))
                throw new ArgumentException(
                    $"PropertyNames must map non-empty names to non-empty names; check the entry for '{rename.Key}'.",
                    nameof(options.PropertyNames));
        }

        MessageHandler = options.MessageHandler;
        RedactedProperties = RedactedNames(options.RedactedProperties ?? DynatraceSecurityOptions.DefaultRedactedProperties);
        EnrichmentDirectory = options.EnrichmentDirectory switch
        {
            null => EnrichmentFiles.DefaultDirectory,
            { } off when off.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) => null,
            { } blank when blank.Trim().Length == 0 => throw new ArgumentException(
                "EnrichmentDirectory must be a directory path, \"none\" to turn enrichment off, or null (left out) for Dynatrace's " +
                "directory; an empty string is none of them: write \"none\" to turn enrichment off.", nameof(options.EnrichmentDirectory)),
            { } directory => directory,
        };

        BatchSizeLimit = (int)Between(batching.BatchSizeLimit, 1, 100_000, nameof(batching.BatchSizeLimit), Defaults.BatchSizeLimit);
        QueueLimit = (int)Between(batching.QueueLimit, 1, 10_000_000, nameof(batching.QueueLimit), Defaults.QueueLimit);
        // A request body holds at least "[", one event and "]"; below a kilobyte nothing useful fits.
        BatchSizeLimitBytes = (int)Between(batching.BatchSizeLimitBytes, 1024, 10_000_000, nameof(batching.BatchSizeLimitBytes),
            Defaults.BatchSizeLimitBytes, "; OpenPipeline refuses requests over 10 MB");
        // In batched mode an event travels in a request body, with its brackets.
        var fitsRequest = batched == null ? int.MaxValue : BatchSizeLimitBytes - 2;
        EventBodyLimitBytes = options.EventBodyLimitBytes is { } eventBodyLimitBytes
            ? EventBodyLimit(eventBodyLimitBytes, fitsRequest)
            : Math.Min(DefaultEventBodyLimitBytes, fitsRequest);
        // Beyond the maxima a value is a mistake (a unit mix-up, a day where a second was meant) that would break delivery
        // later, or waste memory, instead of failing here.
        QueueLimitBytes = Between(batching.QueueLimitBytes, 1, 4L << 30, nameof(batching.QueueLimitBytes), Defaults.QueueLimitBytes);
        // A megabyte: room for a few hundred events (for the undelivered-events file, two files of at least half a
        // megabyte; for the durable buffer, about one request).
        UndeliveredEventsSizeLimitBytes = Between(batching.UndeliveredEventsSizeLimitBytes, 1L << 20, 64L << 30,
            nameof(batching.UndeliveredEventsSizeLimitBytes), Defaults.UndeliveredEventsSizeLimitBytes);
        BufferSizeLimitBytes = Between(batching.BufferSizeLimitBytes, 1L << 20, 1L << 40, nameof(batching.BufferSizeLimitBytes),
            Defaults.BufferSizeLimitBytes);
        BufferingTimeLimit = Time(batching.BufferingTimeLimit, zeroAllowed: false, TimeSpan.FromHours(1), nameof(batching.BufferingTimeLimit),
            Defaults.BufferingTimeLimit);
        RetryTimeLimit = Time(batching.RetryTimeLimit, zeroAllowed: true, TimeSpan.FromHours(23), nameof(batching.RetryTimeLimit),
            Defaults.RetryTimeLimit, "; TimeSpan.Zero turns retries off; Dynatrace drops events older than 24 hours");
        ShutdownTimeout = Time(batching.ShutdownTimeout, zeroAllowed: false, TimeSpan.FromMinutes(10), nameof(batching.ShutdownTimeout),
            Defaults.ShutdownTimeout);
        if (batching.Compression is not (DynatraceSecurityCompression.None or DynatraceSecurityCompression.Gzip))
            throw new ArgumentOutOfRangeException(nameof(batching.Compression), batching.Compression, "Compression must be None or Gzip.");
        Compression = batching.Compression;
        UndeliveredEventsPath = PathOrNull(batching.UndeliveredEventsPath, nameof(batching.UndeliveredEventsPath),
            "a file path, or null (left out) for no undelivered-events file");
        BufferPath = PathOrNull(batching.BufferPath, nameof(batching.BufferPath), "a directory path, or null (left out) for no durable buffer");
        if (UndeliveredEventsPath != null && BufferPath != null && IsInside(UndeliveredEventsPath, BufferPath))
            throw new ArgumentException(
                $"UndeliveredEventsPath '{UndeliveredEventsPath}' is inside BufferPath '{BufferPath}': that directory belongs to " +
                "the durable buffer, whose replayer moves and deletes what it finds there. Put the undelivered-events file outside it.",
                nameof(batching.UndeliveredEventsPath));
    }

    public Uri Target { get; }

    public bool IsCustomEndpoint { get; }

    public Credentials Credentials { get; }
    public LogEventLevel RestrictedToMinimumLevel { get; }
    public LoggingLevelSwitch? LevelSwitch { get; }
    public string MarkerProperty { get; }
    public string DefaultEventType { get; }

    public string EventProvider { get; }

    public string? ProductName { get; }
    public string? ProductVendor { get; }
    public IReadOnlyList<KeyValuePair<string, string>> StaticAttributes { get; }
    public HttpMessageHandler? MessageHandler { get; }
    public TimeSpan RequestTimeout { get; }
    public IReadOnlyList<string> RedactedProperties { get; }
    public int EventBodyLimitBytes { get; }
    public IReadOnlyDictionary<string, string> PropertyNames { get; }

    /// <summary>Null for no enrichment.</summary>
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

    public static SinkSettings From<TOptions>(Action<TOptions> configure)
        where TOptions : DynatraceSecurityOptions, new()
    {
        if (configure == null) throw new ArgumentNullException(nameof(configure));

        var options = new TOptions();
        configure(options);
        return From(options);
    }

    public static SinkSettings From(DynatraceSecurityOptions options) =>
        new(options ?? throw new ArgumentNullException(nameof(options)));

    static Uri IngestUri(DynatraceSecurityOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.EnvironmentUrl))
            throw new ArgumentException(
                "The Dynatrace environment URL is required, for example https://abc12345.live.dynatrace.com.", nameof(options.EnvironmentUrl));
        var environment = Credentials.ParseUrl(options.EnvironmentUrl!, tokenUrl: false);

        var endpoint = options.Endpoint;
        if (endpoint != null && !IsEndpointName(endpoint))
            throw new ArgumentException(
                $"The endpoint name '{endpoint}' is not a valid OpenPipeline custom ingest source name: use letters, digits and dots only, " +
                "starting with a letter or digit, with no '..' and no trailing dot (for example contoso.identity); pass null to use the built-in route.",
                nameof(options.Endpoint));

        var route = (options.Route, endpoint) switch
        {
            (DynatraceSecurityRoute.SecurityEvents, null) => "platform/ingest/v1/security.events",
            (DynatraceSecurityRoute.LegacyEventsSecurity, null) => "platform/ingest/v1/events.security",
            (DynatraceSecurityRoute.SecurityEvents, _) => "platform/ingest/custom/security.events/" + endpoint,
            (DynatraceSecurityRoute.LegacyEventsSecurity, _) => "platform/ingest/custom/events.security/" + endpoint,
            _ => throw new ArgumentOutOfRangeException(nameof(options.Route), options.Route, "Unknown route: use SecurityEvents or LegacyEventsSecurity."),
        };

        // The base path (e.g. an ActiveGate's /e/{environment-id}) stays in front of the route.
        var path = environment.AbsolutePath.TrimEnd('/') + "/" + route;
        return new UriBuilder(environment) { Path = path, Query = string.Empty, Fragment = string.Empty }.Uri;
    }

    static bool IsEndpointName(string endpoint) =>
        endpoint.Length > 0 && endpoint[0] != '.' && endpoint[endpoint.Length - 1] != '.' &&
        endpoint.IndexOf("..", StringComparison.Ordinal) < 0 &&
        endpoint.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.');

    /// <summary>The entry assembly's name, or the process name where there is none (IIS, a test runner).</summary>
    static string ApplicationName()
    {
        var entry = Assembly.GetEntryAssembly()?.GetName().Name;
        if (!string.IsNullOrWhiteSpace(entry))
            return entry!;

        try
        {
            using var process = Process.GetCurrentProcess();
            if (!string.IsNullOrWhiteSpace(process.ProcessName))
                return process.ProcessName;
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or InvalidOperationException)
        {
            // Some platforms (browser WebAssembly) have no process to name.
        }

        return "dotnet";
    }

    static int EventBodyLimit(int value, int fitsRequest)
    {
        const string name = nameof(DynatraceSecurityOptions.EventBodyLimitBytes);
        Between(value, 512, 10_000_000, name, DefaultEventBodyLimitBytes, ", or BatchSizeLimitBytes - 2 when that is smaller");
        return value <= fitsRequest
            ? value
            : throw new ArgumentOutOfRangeException(name, value,
                $"EventBodyLimitBytes ({value}) does not fit in a request body of BatchSizeLimitBytes ({fitsRequest + 2}) with its " +
                $"brackets: set EventBodyLimitBytes to at most {fitsRequest} (or leave it out for the largest that fits), or raise BatchSizeLimitBytes.");
    }

    /// <summary>The names, trimmed. An empty list turns redaction off; an empty name in it is a mistake, not a way to say so.</summary>
    static string[] RedactedNames(IReadOnlyList<string> names) =>
        names.Select(name => string.IsNullOrWhiteSpace(name)
                ? throw new ArgumentException(
                    "RedactedProperties must not contain an empty name; to turn redaction off, pass an empty list ([] in JSON).",
                    nameof(DynatraceSecurityOptions.RedactedProperties))
                : name.Trim())
            .ToArray();

    static string? PathOrNull(string? path, string name, string what) =>
        path != null && string.IsNullOrWhiteSpace(path)
            ? throw new ArgumentException($"{name} must be {what}; an empty string is neither.", name)
            : path;

    /// <summary>Case-blind where file systems usually are.</summary>
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

    static long Between(long value, long minimum, long maximum, string name, long defaultValue, string note = "") =>
        value < minimum || value > maximum
            ? throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be between {minimum} and {maximum} (the default is {defaultValue}{note}).")
            : value;

    static TimeSpan Time(TimeSpan value, bool zeroAllowed, TimeSpan maximum, string name, TimeSpan defaultValue, string note = "") =>
        value < TimeSpan.Zero || (value == TimeSpan.Zero && !zeroAllowed) || value > maximum
            ? throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be {(zeroAllowed ? "at least" : "more than")} {TimeSpan.Zero} and at most {maximum} (the default is {defaultValue}{note}).")
            : value;

    static string RequireText(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException(name + " must be a non-empty string.", name) : value!;
}
