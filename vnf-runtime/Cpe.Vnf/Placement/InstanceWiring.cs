using System.Security.Cryptography;
using System.Text;
using Cpe.Netlink;
using Cpe.Network;
using Cpe.Network.Sriov;
using Cpe.Vnf.Packages;

namespace Cpe.Vnf.Placement;

/// <summary>
/// One interface of an instance, NAME inside the VNF's namespace with the VNF side's MAC: a veth pair whose other end,
/// <see cref="HostDevice"/>, is in cped's namespace; or an SR-IOV VF of <see cref="Pf"/> (<see cref="Vf"/>, once lent),
/// which has no host side: the NIC sorts its frames by MAC.
/// </summary>
public sealed record WiredInterface(string Name, InterfaceRole Role, string? HostDevice, byte[] Mac, string? Pf = null, int? Vf = null)
{
    public string MacText => string.Join(":", Mac.Select(b => b.ToString("x2")));

    public bool IsVf => Pf is not null;
}

/// <summary>
/// The network side of a VNF instance (docs/reference/vnf-configuration.md): its own network namespace, bound at
/// /run/netns/PREFIX+INSTANCE, and per interface of its descriptor a veth pair, the VNF's end born inside under the
/// descriptor's name, or for an SR-IOV interface a free VF of the PF it faces, moved inside under that name. Veth
/// names and MACs derive from the instance's name and a lent VF stays in the namespace, so that after a cped restart
/// the same instance finds the same devices. Everything here is idempotent.
/// </summary>
/// <param name="kernel">Namespaces, veth pairs and links (<see cref="NetlinkInstanceKernel"/> on the box).</param>
/// <param name="sriov">The board's SR-IOV driver, shared with the network reconciler; null without SR-IOV.</param>
/// <param name="vfOwnership">Held while VFs are chosen, lent or taken back: the lock the network reconciler holds too.</param>
/// <param name="pfs">The board's SR-IOV PFs, whose VFs a removed instance's namespace may hold.</param>
public sealed class InstanceWiring(IInstanceKernel kernel, ISriovDriver? sriov, Lock vfOwnership, string netnsPrefix, IReadOnlyList<string> pfs)
{
    /// <summary>Wiring over cped's shared namespace: its socket, its SR-IOV driver and the VFs' ownership lock.</summary>
    public InstanceWiring(HostNetwork host, string netnsPrefix, IReadOnlyList<string> pfs)
        : this(new NetlinkInstanceKernel(host.Rtnl), host.Sriov, host.VfOwnership, netnsPrefix, pfs) { }

    public string NamespacePath(string instance) => $"/run/netns/{netnsPrefix}{instance}";

    /// <summary>"v" and 8 hex digits of a hash of the instance, then the interface's position: at most 15 bytes, as Linux wants.</summary>
    public string HostDevice(string instance, int position) => $"v{Hash(instance)[..8]}{position}";

    /// <summary>A locally administered unicast MAC, stable for the instance and interface.</summary>
    public byte[] Mac(string instance, string iface)
    {
        var h = Convert.FromHexString(Hash(instance + "/" + iface)[..12]);
        h[0] = 0x02;
        return h;
    }

    string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(netnsPrefix + text)));

    /// <param name="pfOf">The PF netdev an SR-IOV interface takes its VF from (the chain port it faces).</param>
    public IReadOnlyList<WiredInterface> Interfaces(string instance, VnfDescriptor descriptor, Func<VnfInterface, string> pfOf) =>
        descriptor.Interfaces.Select((i, n) => i.Kind == InterfaceKind.Sriov
            ? new WiredInterface(i.Name, i.Role, null, [], pfOf(i))
            : new WiredInterface(i.Name, i.Role, HostDevice(instance, n), Mac(instance, i.Name))).ToList();

    /// <summary>Makes the namespace, the pairs and lends the VFs, where missing; returns the interfaces as wired.</summary>
    public IReadOnlyList<WiredInterface> Wire(string instance, IReadOnlyList<WiredInterface> planned)
    {
        string netns = NamespacePath(instance);
        kernel.CreateNamespace(netns);
        var wired = new List<WiredInterface>();
        bool created = false;
        lock (vfOwnership)
            foreach (var w in planned)
            {
                if (!w.IsVf) { wired.Add(w); continue; }
                wired.Add(LendVf(netns, w, out bool lent));
                created |= lent;
            }
        foreach (var w in wired.Where(w => !w.IsVf))
        {
            if (kernel.Link(w.HostDevice!) is not null) continue;
            kernel.CreateVethInto(w.HostDevice!, w.Name, netns, w.Mac);
            created = true;
        }
        foreach (var hostEnd in wired.Select(w => w.HostDevice).OfType<string>()) kernel.PrepareHostEnd(hostEnd);
        if (created) kernel.BringUpInside(netns, wired.Select(w => w.Name).ToList());
        return wired;
    }

    const string NoMac = "00:00:00:00:00:00";

    /// <summary>
    /// The VF an interface has: the one already inside under its name (found on its PF by MAC), or else the lowest VF
    /// of the PF that is free (its netdev in cped's namespace, in no bridge), lent now. Its MAC is the one the network
    /// configuration gives that VF.
    /// </summary>
    WiredInterface LendVf(string netns, WiredInterface w, out bool lent)
    {
        var driver = sriov ?? throw new VnfWiringException($"interface {w.Name} asks for an SR-IOV VF; the board has no SR-IOV");
        string pf = w.Pf!;
        var vfs = driver.Vfs(pf);
        if (kernel.LinksInside(netns).FirstOrDefault(l => l.Name == w.Name) is { Mac: { } have })
        {
            lent = false;
            var mine = vfs.FirstOrDefault(v => string.Equals(v.Mac, have, StringComparison.OrdinalIgnoreCase));
            return w with { Mac = RtnlParser.ParseMac(have), Vf = mine?.Vf };
        }
        var free = vfs.FirstOrDefault(v => driver.VfNetdev(pf, v.Vf) is string netdev && kernel.Link(netdev) is { Master: null })
            ?? throw new VnfWiringException($"{pf} has no free VF for interface {w.Name}: its {vfs.Count} VFs are lent or in use");
        if (free.Mac == NoMac && kernel.Link(driver.VfNetdev(pf, free.Vf)!)?.Mac is { } own && own != NoMac)
        {
            // The PF set no address (igb leaves it to the VF driver, which picks a random one): the PF now sets the
            // VF's own, so that the PF's list names it, the VNF cannot change it, and a restart or a removal finds it.
            driver.SetMac(pf, free.Vf, own);
            free = free with { Mac = own };
        }
        driver.Lend(pf, free.Vf, netns, w.Name);
        lent = true;
        return w with { Mac = RtnlParser.ParseMac(free.Mac), Vf = free.Vf };
    }

    /// <summary>Gives the VFs back, removes the pairs (deleting one end removes the other) and the namespace.</summary>
    public void Unwire(string instance)
    {
        string netns = NamespacePath(instance);
        if (sriov is not null && kernel.NamespaceExists(netns))
            lock (vfOwnership) ReclaimVfs(netns);
        string prefix = $"v{Hash(instance)[..8]}";
        foreach (var link in kernel.Links().Where(l => l.Kind == "veth" && l.Name.Length == prefix.Length + 1 && l.Name.StartsWith(prefix, StringComparison.Ordinal)))
            kernel.DeleteLink(link);
        kernel.DeleteNamespace(netns);
    }

    /// <summary>Each device in the namespace that is a VF of one of the board's PFs, known by its MAC, goes back to its PF.</summary>
    void ReclaimVfs(string netns)
    {
        var inside = kernel.LinksInside(netns).Where(l => l.Kind is not "veth" && l.Name != "lo").ToList();
        if (inside.Count == 0) return;
        foreach (var pf in pfs)
            foreach (var vf in sriov!.Vfs(pf))
                if (inside.FirstOrDefault(l => string.Equals(l.Mac, vf.Mac, StringComparison.OrdinalIgnoreCase)) is { } link)
                    sriov.Reclaim(pf, vf.Vf, netns, link.Name);
    }
}

public sealed class VnfWiringException(string message) : VnfException(message);
