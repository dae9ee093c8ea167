namespace Cpe.VendorServer.Storage;

/// <summary>A device as enrolled: what it is given at bootstrap, its owner, group and lifecycle state.</summary>
public sealed record Enrollment(string Serial, byte[] ConveyedInformation, byte[]? OwnerCertificate, byte[]? OwnershipVoucher, DateTimeOffset EnrolledAt,
    string? Owner = null, string? Group = null, string State = "enrolled", DateTimeOffset? LastSeen = null)
{
    /// <summary>The site the box is installed at (its time zone resolves maintenance windows) and its labels, for deployment targets.</summary>
    public string? Site { get; init; }
    public string[] Labels { get; init; } = [];
}

/// <summary>A device with its last progress report (type and time) and its last check-in, for the admin list.</summary>
public sealed record DeviceSummary(Enrollment Device, string? LastProgress, DateTimeOffset? LastProgressAt, CheckInEntry? LastCheckIn)
{
    /// <summary>The alarms of its last check-in, one per line; null before any.</summary>
    public string? Alarms { get; init; }
}

/// <summary>Which devices a list shows: a group, a state, a site, a firmware version, serial numbers starting with a prefix.</summary>
public sealed record DeviceFilter(string? Group = null, string? State = null, string? Site = null, string? Version = null, string? Prefix = null);

/// <summary>The fleet at a glance: devices by state, by how recently they checked in, by firmware version, and with serious alarms.</summary>
public sealed record FleetCounts(long Enrolled, long Revoked, long Online, long Silent, long NeverSeen, long Alarmed, IReadOnlyList<(string? Version, long Count)> Versions);

/// <summary>One progress report as the server received it.</summary>
public sealed record ProgressEntry(DateTimeOffset Time, string Serial, string ProgressType, string? Message);

/// <summary>One fleet check-in as the server received it.</summary>
public sealed record CheckInEntry(DateTimeOffset Time, string Serial, string OsVersion, long ConfigRevision, long FleetRevision, string? LastResult)
{
    /// <summary>The device's hardware inventory (JSON) when the check-in carried one; kept as the device's latest.</summary>
    public string? Inventory { get; init; }

    /// <summary>The fleet revision the device reported it did not keep, and why (JSON: revision, reason, time).</summary>
    public string? Refused { get; init; }

    /// <summary>The firmware version the device gave up on (refused, or it fell back from it), and why (JSON: version, reason, time).</summary>
    public string? FirmwareFailure { get; init; }

    /// <summary>The local commit on the device that overrides what zero-touch or the fleet set (JSON: revision, user, time, count, statements).</summary>
    public string? LocalOverride { get; init; }

    /// <summary>The firmware slots the device reported (JSON: booted slot, health, slots, last fallback); null from a box without slots.</summary>
    public string? Software { get; init; }

    /// <summary>The VNF packages and instances the device reported (JSON: packages, instances, unconfirmed); null from a box without VNFs.</summary>
    public string? Vnfs { get; init; }

    /// <summary>The VNF package versions the device gave up on, and why (JSON array: name, version, reason, time).</summary>
    public string? VnfFailures { get; init; }

    /// <summary>The model the device reported: kept as the device's latest, for deployment targets.</summary>
    public string? Model { get; init; }

    /// <summary>The alarms the device reported (one per line): kept as the device's latest, for the dashboard.</summary>
    public string? Alarms { get; init; }
}

/// <summary>The configuration the owner wants on a device ("serial:S") or on a group ("group:G").</summary>
public sealed record FleetConfig(string Target, long Revision, string Handling, string Document, DateTimeOffset UpdatedAt,
    string? Firmware = null, string? Vnfs = null);

/// <summary>A signed VNF package in the server's repository, its file in the image folder's ".vnf" (one name and version never changes content).</summary>
public sealed record VnfPackageFile(string Name, string Version, string Sha256, long Size, string Signer, DateTimeOffset UploadedAt)
{
    public string Reference => Cpe.Sztp.VnfPackageReference.Of(Name, Version);
}

/// <summary>Published onboarding information: conveyed information signed by the owner, with the owner certificate.</summary>
public sealed record Bundle(string Name, byte[] ConveyedInformation, byte[] OwnerCertificate, DateTimeOffset PublishedAt);

/// <summary>A firmware image served to devices, its file in the server's image folder.</summary>
public sealed record FirmwareImage(string Name, string OsName, string OsVersion, string Sha256, long Size, DateTimeOffset UploadedAt);

/// <summary>One image request, with the Range it asked for: how resumed downloads are seen.</summary>
public sealed record DownloadEntry(DateTimeOffset Time, string Serial, string Image, string? Range, int Status);

/// <summary>What a check-in needs to know of a device's enrolment: its state, group, site and labels.</summary>
public sealed record DeviceFacts(string State, string? Group, string? Site, string[] Labels);

/// <summary>An admin token as stored: its name, role, and when it was made and revoked (only the token's hash is kept).</summary>
public sealed record TokenRecord(string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null);

/// <summary>One line of the append-only audit log.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset Time, string Actor, string Role, string Action, string? Target, string? Detail, string? Source, int Status);
