namespace Cpe.VendorServer.Storage;

/// <summary>A device as enrolled: what it is given at bootstrap, its owner, group and lifecycle state.</summary>
public sealed record Enrollment(string Serial, byte[] ConveyedInformation, byte[]? OwnerCertificate, byte[]? OwnershipVoucher, DateTimeOffset EnrolledAt,
    string? Owner = null, string? Group = null, string State = "enrolled", DateTimeOffset? LastSeen = null);

/// <summary>A device with its last progress report (type and time) and its last check-in, for the admin list.</summary>
public sealed record DeviceSummary(Enrollment Device, string? LastProgress, DateTimeOffset? LastProgressAt, CheckInEntry? LastCheckIn);

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
}

/// <summary>The configuration the owner wants on a device ("serial:S") or on a group ("group:G").</summary>
public sealed record FleetConfig(string Target, long Revision, string Handling, string Document, DateTimeOffset UpdatedAt,
    string? Firmware = null, string? Vnfs = null);

/// <summary>Published onboarding information: conveyed information signed by the owner, with the owner certificate.</summary>
public sealed record Bundle(string Name, byte[] ConveyedInformation, byte[] OwnerCertificate, DateTimeOffset PublishedAt);

/// <summary>A firmware image served to devices, its file in the server's image folder.</summary>
public sealed record FirmwareImage(string Name, string OsName, string OsVersion, string Sha256, long Size, DateTimeOffset UploadedAt);

/// <summary>One image request, with the Range it asked for: how resumed downloads are seen.</summary>
public sealed record DownloadEntry(DateTimeOffset Time, string Serial, string Image, string? Range, int Status);
