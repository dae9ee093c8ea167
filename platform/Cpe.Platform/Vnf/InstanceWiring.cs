using System.Security.Cryptography;
using System.Text;
using Cpe.Netlink;
using Cpe.Vnf.Packages;

namespace Cpe.Platform.Vnf;

/// <summary>One veth pair of an instance: NAME inside the VNF's namespace, HOST in cped's, and the VNF side's MAC.</summary>
public sealed record WiredInterface(string Name, InterfaceRole Role, string HostDevice, byte[] Mac)
{
    public string MacText => string.Join(":", Mac.Select(b => b.ToString("x2")));
}

/// <summary>
/// The network side of a VNF instance (docs/reference/vnf-configuration.md): its own network namespace, bound at
/// /run/netns/PREFIX+INSTANCE, and a veth pair per interface of its descriptor, the VNF's end born inside under the
/// descriptor's name. Names and MACs derive from the instance's name, so that after a cped restart the same instance
/// finds the same devices. Everything here is idempotent.
/// </summary>
public sealed class InstanceWiring(RouteNetlink rtnl, string netnsPrefix)
{
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

    public IReadOnlyList<WiredInterface> Interfaces(string instance, VnfDescriptor descriptor) =>
        descriptor.Interfaces.Select((i, n) => new WiredInterface(i.Name, i.Role, HostDevice(instance, n), Mac(instance, i.Name))).ToList();

    /// <summary>Makes the namespace and the pairs if they are missing; returns the interfaces.</summary>
    public IReadOnlyList<WiredInterface> Wire(string instance, VnfDescriptor descriptor)
    {
        if (descriptor.Interfaces.FirstOrDefault(i => i.Kind == InterfaceKind.Sriov) is { } vf)
            throw new VnfWiringException($"{instance}: interface {vf.Name} asks for an SR-IOV VF; this release wires VNFs with veth pairs only");
        string netns = NamespacePath(instance);
        NamedNetworkNamespace.Create(netns);
        var wired = Interfaces(instance, descriptor);
        bool created = false;
        foreach (var w in wired)
        {
            if (rtnl.Link(w.HostDevice) is not null) continue;
            using (var fd = File.OpenHandle(netns)) rtnl.CreateVethInto(w.HostDevice, w.Name, (int)fd.DangerousGetHandle(), w.Mac);
            created = true;
        }
        foreach (var w in wired)
        {
            var link = rtnl.RequireLink(w.HostDevice);
            // The host end only carries the chain's frames: no IPv6 of its own (no router solicitations into the VNF).
            WriteSysctl($"/proc/sys/net/ipv6/conf/{w.HostDevice}/disable_ipv6", "1");
            // Frames forwarded into the VNF leave the host end: without segmentation and checksum offloads there, the
            // kernel cuts merged (GRO, TSO) frames to wire size and completes checksums before a VNF reads them.
            foreach (uint offload in new[] { Ethtool.ETHTOOL_STSO, Ethtool.ETHTOOL_SGSO, Ethtool.ETHTOOL_STXCSUM })
                Ethtool.Set(w.HostDevice, offload, false);
            if (!link.AdminUp) rtnl.SetAdminState(link.Index, true, w.HostDevice);
        }
        if (created) NamedNetworkNamespace.Run(netns, () => ConfigureInside(wired));
        return wired;
    }

    /// <summary>Inside the VNF's namespace: loopback up, no IPv6 autoconfiguration, the interfaces up.</summary>
    static void ConfigureInside(IReadOnlyList<WiredInterface> wired)
    {
        WriteSysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
        WriteSysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
        using var inside = RouteNetlink.Open();
        inside.SetAdminState(inside.RequireLink("lo").Index, true, "lo");
        foreach (var w in wired)
        {
            var link = inside.RequireLink(w.Name);
            WriteSysctl($"/proc/sys/net/ipv6/conf/{w.Name}/disable_ipv6", "1");
            inside.SetAdminState(link.Index, true, w.Name);
        }
    }

    static void WriteSysctl(string path, string value)
    {
        if (File.Exists(path)) File.WriteAllText(path, value);
    }

    /// <summary>Removes the pairs (deleting one end removes the other) and the namespace.</summary>
    public void Unwire(string instance)
    {
        string prefix = $"v{Hash(instance)[..8]}";
        foreach (var link in rtnl.Links().Where(l => l.Kind == "veth" && l.Name.Length == prefix.Length + 1 && l.Name.StartsWith(prefix, StringComparison.Ordinal)))
            rtnl.DeleteLink(link.Index, link.Name);
        NamedNetworkNamespace.Delete(NamespacePath(instance));
    }
}

public sealed class VnfWiringException(string message) : Exception(message);
