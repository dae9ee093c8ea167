namespace Cpe.Api;

/// <summary>One interface of a VNF instance: its name inside the VNF, its MAC, and the host end of its veth pair that cped steers frames to, or the SR-IOV VF it was lent ("PF vf N").</summary>
public sealed record VnfInterfaceInfo(string Name, string Role, string? HostDevice, string Mac, string? Vf = null);

/// <summary>One running (or not) replica of a configured VNF, with its cgroup usage and limits (docs/reference/api.md).</summary>
public sealed record VnfInstanceInfo(
    string Instance,
    string Vnf,
    string Package,
    string State,
    int? Pid,
    int Restarts,
    string? LastExit,
    DateTimeOffset Since,
    string? Message,
    double Cpus,
    long MemoryLimitBytes,
    int PidsLimit,
    double? CpuSeconds,
    long? MemoryBytes,
    int? Processes,
    string NetworkNamespace,
    IReadOnlyList<VnfInterfaceInfo> Interfaces);

public sealed record VnfNameParams(string? Name = null);

public sealed record VnfLogParams(string Name, int Lines = 50);

public sealed record VnfLogInfo(string Instance, IReadOnlyList<string> Lines);

/// <summary>A package file on the box or an http(s) URL; with <c>Sha256</c>, only the file with that digest is taken.</summary>
public sealed record VnfPackageAddParams(string Source, string? Sha256 = null);

public sealed record VnfPackageDeleteParams(string Reference);

/// <summary>A package in the image store and the VNF instances that use it.</summary>
public sealed record VnfPackageInfo(string Name, string Version, string ManifestDigest, string Signer, DateTimeOffset AddedAt,
    long BlobBytes, long RootFsBytes, IReadOnlyList<string> UsedBy);

/// <summary>
/// Packets through one replica of a hop, from its host-side veth ends: forward in (to the VNF's ingress side) and out
/// (from its egress side), return in (to its egress side) and out (from its ingress side).
/// </summary>
public sealed record ChainReplicaInfo(string Instance, string State, long ForwardIn, long ForwardOut, long ReturnIn, long ReturnOut);

public sealed record ChainHopInfo(string Vnf, bool Bypassed, IReadOnlyList<ChainReplicaInfo> Replicas);

public sealed record ChainInfo(string Name, string Ingress, string Egress, string Bypass, string Match, IReadOnlyList<ChainHopInfo> Hops);
