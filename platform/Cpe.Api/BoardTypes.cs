namespace Cpe.Api;

// The board's API types (docs/reference/local-api.md, "system.hardware", "system.environment", "system.power").

public sealed record CpuInfo(string Model, int Cores, IReadOnlyList<int> PlatformCores, IReadOnlyList<int> VnfCores);
public sealed record DiskInfo(string Name, long Bytes, string? Model);
public sealed record NicInfo(string Port, string Netdev, string Role, int? SpeedMbps, string? Pci, string? VendorId, string? DeviceId, string? Driver, int SriovTotalVfs, string? Mac);

/// <summary>"show chassis hardware": the board, its identity and what the kernel found.</summary>
public sealed record Hardware(string Model, string? Description, string SerialNumber, string? BaseMac, string? Dmi, CpuInfo Cpu, long MemoryBytes,
    IReadOnlyList<DiskInfo> Disks, IReadOnlyList<NicInfo> Nics, string FirmwareVersion, string Slot);

/// <summary>One sensor as last read: value in its unit (°C, RPM, V), status ok/low/high/critical/unreadable.</summary>
public sealed record SensorInfo(string Name, string Kind, double? Value, string Unit, string Status, double? Low, double? High, double? Critical, string? Problem);

/// <summary>"show chassis environment": the sensors, the status LED's pattern and the watchdog.</summary>
public sealed record EnvironmentInfo(IReadOnlyList<SensorInfo> Sensors, string LedPattern, string Watchdog);

/// <summary>system.reboot, system.power-off and system.zeroize: who asked, and why (recorded in the event log).</summary>
public sealed record PowerParams(string? Reason = null);
