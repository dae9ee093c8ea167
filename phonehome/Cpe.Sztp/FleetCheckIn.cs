using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cpe.Sztp;

/// <summary>
/// The fleet check-in (docs/reference/fleet-checkin.md): after bootstrap-complete the device posts this over mTLS with
/// its IDevID; the server answers with a <see cref="CheckInAnswer"/> signed by the owner (CMS SignedData, id-data),
/// echoing the request's nonce so an old answer cannot be replayed.
/// </summary>
public sealed record CheckInRequest(string SerialNumber, string Model, string OsName, string OsVersion, double UptimeSeconds,
    long ConfigRevision, string ConfigSource, long FleetRevision, bool FleetUnconfirmed, string[] Alarms, string? LastResult, string Nonce)
{
    /// <summary>The box's hardware inventory (cped's system.hardware), sent when it differs from the last one the server took.</summary>
    public JsonObject? Inventory { get; init; }

    /// <summary>
    /// The last fleet revision the box did not keep, and why (its commit refused, or rolled back unconfirmed); sent on
    /// every check-in until a newer revision is confirmed. Absent from agents older than this field.
    /// </summary>
    public FleetRefusal? LastRefused { get; init; }

    /// <summary>The firmware version the box gave up on (refused, or fell back from), and why. Absent when none.</summary>
    public FirmwareFailure? FirmwareFailure { get; init; }

    /// <summary>
    /// The newest local commit (CLI or the box's local API) that took away statements zero-touch or the fleet set; sent
    /// on every check-in while it holds (until a later commit puts them back or a new push replaces them). Absent when none.
    /// </summary>
    public ConfigOverride? LocalOverride { get; init; }

    /// <summary>
    /// The firmware slots as the box runs them (cped's image.status): the booted slot, whether it is marked good, both
    /// slots' states and versions, and the last fallback. Absent from older agents, null on a box without A/B slots.
    /// </summary>
    public SoftwareReport? Software { get; init; }

    /// <summary>
    /// The VNF packages in the box's image store and what each configured VNF instance runs (cped's vnf.package.list and
    /// vnf.list). Absent from older agents, null on a box without a VNF runtime.
    /// </summary>
    public VnfReport? Vnfs { get; init; }

    /// <summary>The VNF package versions the box gave up on (refused, or switched to and rolled back), and why; the newest last. Absent when none.</summary>
    public VnfFailure[]? VnfFailures { get; init; }
}

/// <summary>
/// The box's VNFs: the packages its store holds ("NAME:VERSION"), each instance with the package it runs and its state,
/// and whether a switch to other package versions waits for its "commit confirmed" to be confirmed.
/// </summary>
public sealed record VnfReport(string[] Packages, VnfInstanceReport[] Instances, bool Unconfirmed)
{
    /// <summary>Each service chain and whether it passes traffic through its VNFs. Absent from older agents.</summary>
    public ChainReport[]? Chains { get; init; }
}

/// <summary>
/// A service chain: passing when every hop has a running replica; otherwise why not (the hop, and whether the chain
/// then drops its traffic or lets it bypass the VNF, by its policy).
/// </summary>
public sealed record ChainReport(string Name, bool Passing, string? Why);

/// <summary>One VNF instance ("fw-0" of VNF "fw"), the package it runs ("firewall:1.2.0") and its state (running, failed, ...).</summary>
public sealed record VnfInstanceReport(string Instance, string Vnf, string Package, string State);

/// <summary>A VNF package version the box does not run and will not try again: which, why, and when.</summary>
public sealed record VnfFailure(string Name, string Version, string Reason, DateTimeOffset Time)
{
    /// <summary>The most failures a box keeps and reports.</summary>
    public const int Kept = 16;
}

/// <summary>The firmware slots: booted slot and its health ("good" once marked good, "on trial" before), each slot, the last fallback.</summary>
public sealed record SoftwareReport(string BootedSlot, string Health, SlotReport[] Slots, FallbackReport? LastFallback);

/// <summary>One slot: a or b, its state (good, trying, bad, empty, installing) and the firmware version in it.</summary>
public sealed record SlotReport(string Slot, string State, string? Version);

/// <summary>A fallback the box recorded: from which version to which, why, and when (the box's clock: shown, never compared).</summary>
public sealed record FallbackReport(string FromVersion, string ToVersion, string Reason, DateTimeOffset At);

/// <summary>
/// Sent while a firmware install runs (the box does not check in then): which version, the installer's state, bytes
/// downloaded and reused so far and the chunks written. The server answers 204 and keeps the latest per device.
/// </summary>
public sealed record InstallReport(string SerialNumber, string Version, string State, long BytesDownloaded, long BytesReused, int ChunksDone, int Chunks);

/// <summary>
/// A local commit that overrides what zero-touch or the fleet set: its revision, who made it and when, how many "set"
/// statements it took away and the first <see cref="MaxStatements"/> of them.
/// </summary>
public sealed record ConfigOverride(long Revision, string User, DateTimeOffset Time, int Count, string[] Statements)
{
    public const int MaxStatements = 50;
}

/// <summary>A firmware version the box does not run and will not try again: which, why, and when.</summary>
public sealed record FirmwareFailure(string Version, string Reason, DateTimeOffset Time);

/// <summary>A pushed fleet revision the box does not run: which, why, and when it gave up on it.</summary>
public sealed record FleetRefusal(long Revision, string Reason, DateTimeOffset Time);

/// <summary>A configuration the owner wants on the device: committed with "commit confirmed", confirmed by the next check-in.</summary>
public sealed record DesiredConfiguration(long Revision, string Handling, JsonObject Document)
{
    /// <summary>
    /// With handling "restore": put back the configuration the box ran before it applied this fleet revision (a
    /// deployment's rollback); the document is then empty. A box that never applied that revision already runs it.
    /// </summary>
    public long? RestoreBefore { get; init; }
}

public sealed record DesiredFirmware(string Name, string Version, string[] DownloadUris, string Sha256);

/// <summary>A VNF package as cped names it: "NAME:VERSION", the version after the last colon (vnf-image-store.md).</summary>
public static class VnfPackageReference
{
    public static string Of(string name, string version) => $"{name}:{version}";

    /// <summary>"firewall:1.2.0" as its name and version; a reference without a version has an empty one.</summary>
    public static (string Name, string Version) Split(string reference) =>
        reference.LastIndexOf(':') is var colon and > 0 ? (reference[..colon], reference[(colon + 1)..]) : (reference, "");
}

/// <summary>
/// A VNF package version the owner wants on the box: added to its image store (downloaded from the first of
/// <see cref="DownloadUris"/> that answers, checked against <see cref="Sha256"/> and the package's signature), and every
/// configured VNF that runs another version of the package switched to it.
/// </summary>
public sealed record DesiredVnf(string Name, string Version)
{
    public string[] DownloadUris { get; init; } = [];
    public string? Sha256 { get; init; }
    [JsonIgnore] public string Reference => VnfPackageReference.Of(Name, Version);
}

public sealed record CheckInAnswer(string SerialNumber, string Nonce, DateTimeOffset IssuedAt, int CheckInSeconds,
    DesiredConfiguration? Configuration, DesiredFirmware? Firmware, DesiredVnf[] Vnfs);

public static class FleetCheckIn
{
    public const string Path = "/fleet/v1/check-in";
    public const string InstallPath = "/fleet/v1/install-progress";

    /// <summary>The largest install report the server reads.</summary>
    public const int MaxInstallReportBytes = 4096;
    public const string MediaType = "application/json";

    public static byte[] ToJson(CheckInRequest r) => JsonSerializer.SerializeToUtf8Bytes(r, FleetJsonContext.Default.CheckInRequest);

    public static CheckInRequest ParseRequest(ReadOnlySpan<byte> json) =>
        Parse(json, FleetJsonContext.Default.CheckInRequest, "check-in request");

    public static string ToJson(FleetRefusal r) => JsonSerializer.Serialize(r, FleetJsonContext.Default.FleetRefusal);

    public static string ToJson(FirmwareFailure f) => JsonSerializer.Serialize(f, FleetJsonContext.Default.FirmwareFailure);

    public static string ToJson(ConfigOverride o) => JsonSerializer.Serialize(o, FleetJsonContext.Default.ConfigOverride);

    public static byte[] ToJson(CheckInAnswer a) => JsonSerializer.SerializeToUtf8Bytes(a, FleetJsonContext.Default.CheckInAnswer);

    public static byte[] ToJson(InstallReport r) => JsonSerializer.SerializeToUtf8Bytes(r, FleetJsonContext.Default.InstallReport);

    public static InstallReport ParseInstallReport(ReadOnlySpan<byte> json) => Parse(json, FleetJsonContext.Default.InstallReport, "install report");

    public static string ToJson(VnfReport r) => JsonSerializer.Serialize(r, FleetJsonContext.Default.VnfReport);

    public static string ToJson(VnfFailure[] f) => JsonSerializer.Serialize(f, FleetJsonContext.Default.VnfFailureArray);

    public static string ToJson(SoftwareReport s) => JsonSerializer.Serialize(s, FleetJsonContext.Default.SoftwareReport);

    public static SoftwareReport ParseSoftware(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json), FleetJsonContext.Default.SoftwareReport, "software report");

    public static CheckInAnswer ParseAnswer(ReadOnlySpan<byte> json) =>
        Parse(json, FleetJsonContext.Default.CheckInAnswer, "check-in answer");

    /// <summary>
    /// The device's check of a signed answer: signed by the owner certificate the voucher pinned at bootstrap, for this
    /// serial number, carrying the nonce the device just sent.
    /// </summary>
    public static CheckInAnswer Verify(byte[] cms, System.Security.Cryptography.X509Certificates.X509Certificate2 owner, string serialNumber, string nonce)
    {
        var answer = ParseAnswer(Cms.VerifySignedBy(cms, SztpOids.Data, owner, "check-in answer"));
        if (answer.SerialNumber != serialNumber)
            throw new SztpVerificationException("check-in answer", $"is for serial number {answer.SerialNumber}, not {serialNumber}");
        if (answer.Nonce != nonce) throw new SztpVerificationException("check-in answer", "does not carry the nonce of this check-in (a replay?)");
        if (answer.CheckInSeconds is < 5 or > 86400) throw new SztpVerificationException("check-in answer", $"check-in interval {answer.CheckInSeconds} s is outside 5..86400");
        if (answer.Configuration is { Handling: not ("merge" or "replace" or "restore") } c)
            throw new SztpVerificationException("check-in answer", $"configuration handling '{c.Handling}' must be merge, replace or restore");
        if (answer.Configuration is { } r && (r.Handling == "restore") != (r.RestoreBefore is not null))
            throw new SztpVerificationException("check-in answer", "restore-before goes with handling 'restore', and only with it");
        return answer;
    }

    static T Parse<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try { return JsonSerializer.Deserialize(json, type) ?? throw new SztpVerificationException(what, "is empty"); }
        catch (JsonException e) { throw new SztpVerificationException(what, $"is not valid JSON for its format: {e.Message}", e); }
    }
}

[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower,
    RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(CheckInRequest))]
[JsonSerializable(typeof(CheckInAnswer))]
[JsonSerializable(typeof(FleetRefusal))]
[JsonSerializable(typeof(FirmwareFailure))]
[JsonSerializable(typeof(ConfigOverride))]
[JsonSerializable(typeof(SoftwareReport))]
[JsonSerializable(typeof(InstallReport))]
[JsonSerializable(typeof(VnfFailure[]))]
[JsonSerializable(typeof(VnfReport))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
