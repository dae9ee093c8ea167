using System.Globalization;
using Cpe.Config;
using Cpe.Vnf.Packages;

namespace Cpe.Vnf.Placement;

/// <summary>What the box has for VNFs: its VNF cores, memory left after the platform's share, free disk, the VFs configured on each PF.</summary>
public sealed record VnfResources(IReadOnlyList<int> VnfCores, long MemoryBytes, long DiskFreeBytes, IReadOnlyDictionary<string, int> VfsByPf)
{
    /// <summary>Memory kept for cped, the kernel and the page cache; VNFs get the rest.</summary>
    public const long PlatformMemory = 512L << 20;

    /// <summary>Disk each instance may need for its writable layer, its log and its bundle.</summary>
    public const long DiskPerInstance = 32L << 20;
}

/// <summary>A VNF with its package resolved: the limits it will run with, and the PF each of its SR-IOV interfaces takes a VF of.</summary>
public sealed record AdmittedVnf(VnfSpec Spec, VnfDescriptor Descriptor, double Cpus, long MemoryBytes, IReadOnlyList<string>? VfPfs = null)
{
    public int RunningReplicas => Spec.Up ? Spec.Replicas : 0;
}

/// <summary>
/// Admission control at "commit check" (docs/reference/vnf-configuration.md): every VNF the configuration runs must fit
/// the box together, in cores, memory, VFs and disk; what is short is said, and by how much.
/// </summary>
public static class VnfAdmission
{
    public static IEnumerable<ConfigError> Check(IReadOnlyList<AdmittedVnf> vnfs, VnfResources box)
    {
        double cores = vnfs.Sum(v => v.Cpus * v.RunningReplicas);
        if (cores > box.VnfCores.Count + 1e-9)
            yield return new ConfigError("vnfs", $"the VNFs need {Number(cores)} cores ({Each(vnfs, v => Number(v.Cpus))}); the board has {box.VnfCores.Count} VNF "
                + $"core{(box.VnfCores.Count == 1 ? "" : "s")}{(box.VnfCores.Count > 0 ? $" ({string.Join(",", box.VnfCores)})" : "")}: {Number(cores - box.VnfCores.Count)} short");
        long memory = vnfs.Sum(v => v.MemoryBytes * v.RunningReplicas);
        if (memory > box.MemoryBytes)
            yield return new ConfigError("vnfs", $"the VNFs need {Mib(memory)} of memory ({Each(vnfs, v => Mib(v.MemoryBytes))}); {Mib(box.MemoryBytes)} is left for VNFs: {Mib(memory - box.MemoryBytes)} short");
        // Every replica has its VFs, also while it is down: they stay lent to its namespace.
        foreach (var pf in vnfs.SelectMany(v => v.VfPfs ?? []).Distinct().Order(StringComparer.Ordinal))
        {
            int Count(AdmittedVnf v) => (v.VfPfs ?? []).Count(p => p == pf);
            int needed = vnfs.Sum(v => Count(v) * v.Spec.Replicas), have = box.VfsByPf.GetValueOrDefault(pf);
            if (needed > have)
                yield return new ConfigError("vnfs", $"the VNFs need {needed} VF{(needed == 1 ? "" : "s")} of {pf} ("
                    + string.Join(", ", vnfs.Where(v => Count(v) > 0).Select(v => $"{v.Spec.Name} {v.Spec.Replicas} x {Count(v)}"))
                    + $"); sriov pf {pf} has vf-count {have}: {needed - have} short");
        }
        long disk = vnfs.Sum(v => v.Spec.Replicas) * VnfResources.DiskPerInstance;
        if (disk > box.DiskFreeBytes)
            yield return new ConfigError("vnfs", $"the VNF instances need {Mib(disk)} of disk ({Mib(VnfResources.DiskPerInstance)} each); {Mib(box.DiskFreeBytes)} is free: {Mib(disk - box.DiskFreeBytes)} short");
    }

    static string Each(IReadOnlyList<AdmittedVnf> vnfs, Func<AdmittedVnf, string> amount) =>
        string.Join(", ", vnfs.Where(v => v.RunningReplicas > 0).Select(v => $"{v.Spec.Name} {v.RunningReplicas} x {amount(v)}"));

    static string Number(double cores) => cores.ToString("0.##", CultureInfo.InvariantCulture);

    static string Mib(long bytes) => $"{(bytes / (double)(1 << 20)).ToString("0.#", CultureInfo.InvariantCulture)} MiB";
}
