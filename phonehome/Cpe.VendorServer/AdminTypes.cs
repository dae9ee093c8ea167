using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cpe.VendorServer;

// The admin REST API's bodies (docs/reference/vendor-admin-api.md; the served OpenAPI document has the same).

public sealed record DeviceView(string Serial, string? Owner, string? Group, string State, bool Signed, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeen)
{
    /// <summary>In the device list: the last RFC 8572 progress report (its type) and when it came; null before any.</summary>
    public string? Onboarding { get; init; }
    public DateTimeOffset? OnboardingAt { get; init; }

    /// <summary>In the device list: what the last fleet check-in reported (versions, revisions, result); null before any.</summary>
    public CheckInView? LastCheckIn { get; init; }

    public string? Site { get; init; }
    public string[] Labels { get; init; } = [];

    /// <summary>In the device list: the alarms of its last check-in ("SEVERITY TYPE: text").</summary>
    public string[] Alarms { get; init; } = [];
}

/// <summary>
/// Enrolls or updates a device: either a published <see cref="Bundle"/> (with this device's voucher) or conveyed
/// information as made by cpe-vendor (base64 DER), with the owner certificate and voucher when it is signed.
/// </summary>
public sealed record DeviceEnrollRequest(string? Bundle = null, byte[]? ConveyedInformation = null, byte[]? OwnerCertificate = null, byte[]? OwnershipVoucher = null,
    string? Owner = null, string? Group = null, string? State = null, string? Site = null, string[]? Labels = null);

public sealed record ProgressView(DateTimeOffset Time, string Type, string? Message);

/// <summary>
/// One check-in as the device reported it; <c>Refused</c> is the fleet revision it did not keep and why, while it reports
/// one; <c>FirmwareFailure</c> the firmware version it gave up on (refused, or fell back from) and why;
/// <c>LocalOverride</c> the local commit on the device that took away statements zero-touch or the fleet set.
/// </summary>
public sealed record CheckInView(DateTimeOffset Time, string OsVersion, long ConfigRevision, long FleetRevision, string? LastResult, JsonObject? Refused = null,
    JsonObject? FirmwareFailure = null, JsonObject? LocalOverride = null)
{
    /// <summary>The firmware slots it reported (booted slot, health, each slot's state and version, the last fallback); null from a box without slots.</summary>
    public JsonObject? Software { get; init; }

    /// <summary>Its VNF packages and instances (packages, instances, unconfirmed); null from a box without VNFs.</summary>
    public JsonObject? Vnfs { get; init; }

    /// <summary>The VNF package versions it gave up on (name, version, reason, time); null when none.</summary>
    public JsonArray? VnfFailures { get; init; }
}

/// <summary>
/// Onboarding information to publish: a configuration (cped's JSON document), how to apply it, an optional boot image
/// (by its uploaded name) and optional scripts. The server builds the RFC 8572 conveyed information and signs it with the
/// owner's key on publish.
/// </summary>
public sealed record BundleRequest(string Name, JsonObject? Configuration = null, string? ConfigurationHandling = null, string? BootImage = null,
    string? PreConfigurationScript = null, string? PostConfigurationScript = null);

public sealed record BundleView(string Name, int Size, string Sha256, DateTimeOffset PublishedAt);

/// <summary>A VNF package in the repository: its name and version (as the package carries them), digest, size and signer.</summary>
public sealed record VnfPackageView(string Name, string Version, string Sha256, long Size, string Signer, DateTimeOffset UploadedAt);

public sealed record ImageView(string Name, string OsName, string OsVersion, string Sha256, long Size, DateTimeOffset UploadedAt);

public sealed record DownloadView(DateTimeOffset Time, string Serial, string? Range, int Status);

/// <summary>The configuration (and firmware image name, VNF versions) wanted on a device or group, as the check-in answers it.</summary>
public sealed record FleetConfigRequest(JsonObject Configuration, string? Handling = null, string? Firmware = null, JsonArray? Vnfs = null);

public sealed record FleetConfigView(string Target, long Revision, string Handling, DateTimeOffset UpdatedAt)
{
    /// <summary>When read back (GET /fleet): what was pushed, the firmware bundle's name and the VNF versions.</summary>
    public JsonObject? Configuration { get; init; }
    public string? Firmware { get; init; }
    public JsonNode? Vnfs { get; init; }
}

public sealed record SiteRequest(string TimeZone);

public sealed record SiteView(string Name, string TimeZone);

public sealed record TokenRequest(string Name, string Role);

public sealed record TokenView(string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A token just made: shown once, only its hash is kept.</summary>
public sealed record NewTokenView(string Name, string Role, DateTimeOffset CreatedAt, string Token);

public sealed record AuditView(long Id, DateTimeOffset Time, string Actor, string Role, string Action, string? Target, string? Detail, string? Source, int Status);

/// <summary>
/// A deployment: its status (running, paused, halted, completed, cancelled) and why, the current phase (from 1), the
/// target's size when it was made, each phase's progress, its devices counted by state, and the request it was made from.
/// </summary>
public sealed record DeploymentView(long Id, string Name, string Status, string? Reason, int Phase, long TargetSize, string? Firmware, string? FirmwareVersion,
    long? ConfigRevision, long? RollbackRevision, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, PhaseView[] Phases,
    Dictionary<string, long> Devices, Deployments.DeploymentSpec Spec);

/// <summary>A phase: its number (from 1), how many devices it takes (null: the rest) and has taken, bake time, progress.</summary>
public sealed record PhaseView(int Number, long? Size, long Joined, int BakeSeconds, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, bool RolledBack,
    Dictionary<string, long> Devices);

/// <summary>A device in a deployment: its phase (from 1; null before it has one), state and why, bytes downloaded, and what it ran before.</summary>
public sealed record DeploymentDeviceView(long Deployment, string Serial, int? Phase, string State, string? Reason, string? Site, long Bytes,
    DateTimeOffset JoinedAt, DateTimeOffset? StartedAt, DateTimeOffset UpdatedAt, Deployments.Before? Before);

public sealed record WhoAmIView(string Name, string Role);

/// <summary>The dashboard: devices by state and recency (online: checked in within <c>OnlineMinutes</c>), firmware versions, active deployments.</summary>
public sealed record SummaryView(long Enrolled, long Revoked, long Online, long Silent, long NeverSeen, long Alarmed, int OnlineMinutes,
    VersionCount[] Versions, DeploymentView[] Deployments);

/// <summary>Devices running a version; <c>Reported</c> is false for the row of devices that never checked in.</summary>
public sealed record VersionCount(string Version, long Count, bool Reported);

/// <summary>A manufacturing batch: one published bundle, and each device with its voucher, owner, group, site and labels.</summary>
public sealed record BulkEnrollRequest(string Bundle, BulkDevice[] Devices);

public sealed record BulkDevice(string Serial, byte[]? OwnershipVoucher = null, string? Owner = null, string? Group = null, string? Site = null, string[]? Labels = null);

public sealed record BulkEnrollView(int Enrolled);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, AllowDuplicateProperties = false, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeviceView))]
[JsonSerializable(typeof(DeviceView[]))]
[JsonSerializable(typeof(DeviceEnrollRequest))]
[JsonSerializable(typeof(ProgressView[]))]
[JsonSerializable(typeof(CheckInView[]))]
[JsonSerializable(typeof(BundleRequest))]
[JsonSerializable(typeof(BundleView))]
[JsonSerializable(typeof(ImageView))]
[JsonSerializable(typeof(ImageView[]))]
[JsonSerializable(typeof(VnfPackageView))]
[JsonSerializable(typeof(VnfPackageView[]))]
[JsonSerializable(typeof(DownloadView[]))]
[JsonSerializable(typeof(FleetConfigRequest))]
[JsonSerializable(typeof(FleetConfigView))]
[JsonSerializable(typeof(FleetConfigView[]))]
[JsonSerializable(typeof(BundleView[]))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))]
[JsonSerializable(typeof(SiteRequest))]
[JsonSerializable(typeof(SiteView))]
[JsonSerializable(typeof(SiteView[]))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenView[]))]
[JsonSerializable(typeof(NewTokenView))]
[JsonSerializable(typeof(AuditView[]))]
[JsonSerializable(typeof(Deployments.DeploymentSpec))]
[JsonSerializable(typeof(Deployments.Before))]
[JsonSerializable(typeof(DeploymentView))]
[JsonSerializable(typeof(DeploymentView[]))]
[JsonSerializable(typeof(DeploymentDeviceView[]))]
[JsonSerializable(typeof(WhoAmIView))]
[JsonSerializable(typeof(BulkEnrollRequest))]
[JsonSerializable(typeof(BulkEnrollView))]
[JsonSerializable(typeof(SummaryView))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
