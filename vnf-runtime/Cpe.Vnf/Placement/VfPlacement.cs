using Cpe.Board.Profile;
using Cpe.Config;
using Cpe.Vnf.Chains;
using Cpe.Vnf.Packages;

namespace Cpe.Vnf.Placement;

/// <summary>
/// Where the SR-IOV interfaces of the configured VNFs get their VFs (docs/reference/service-chains.md): an interface
/// of kind sriov takes a VF of the chain port it faces, so the ingress interface of a chain's first hop a VF of the
/// ingress port, the egress interface of its last hop one of the egress port. The NIC then sorts that port's frames
/// to the VFs by MAC, which the host can neither classify nor route around; between two VNFs there is no port, and
/// the hops are veth pairs.
/// </summary>
public sealed class VfPlacement
{
    readonly Dictionary<(string Vnf, string Interface), string> _pfs = [];

    readonly List<ConfigError> _errors = [];

    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <summary>Each error once: a chain's rule is broken once, however many VFs break it.</summary>
    void Error(ConfigError e)
    {
        if (!_errors.Contains(e)) _errors.Add(e);
    }

    /// <summary>The PF netdev interface <paramref name="iface"/> of <paramref name="vnf"/> takes its VF from.</summary>
    public string PfOf(string vnf, string iface) => _pfs[(vnf, iface)];

    /// <summary>The PF of each SR-IOV interface of <paramref name="vnf"/> that has one.</summary>
    public IReadOnlyList<string> PfsOf(string vnf) => _pfs.Where(p => p.Key.Vnf == vnf).Select(p => p.Value).ToList();

    public VfPlacement(VnfPlan plan, IReadOnlyDictionary<string, VnfDescriptor> descriptors, NetworkProfile profile)
    {
        foreach (var v in plan.Vnfs)
        {
            if (!descriptors.TryGetValue(v.Name, out var d)) continue;
            string path = $"vnfs vnf {v.Name}";
            var chain = plan.Chains.FirstOrDefault(c => c.Hops.Contains(v.Name));
            foreach (var i in d.Interfaces.Where(i => i.Kind == InterfaceKind.Sriov))
            {
                string what = $"interface {i.Name} ({i.Role.ToString().ToLowerInvariant()}) asks for an SR-IOV VF";
                if (chain is null) { Error(new(path, $"{what}; a VF comes from the port of the chain a VNF meets it in, and {v.Name} is a hop of no chain")); continue; }
                (string? port, string place) = i.Role switch
                {
                    InterfaceRole.Ingress when chain.Hops[0] == v.Name => (chain.Ingress, "ingress"),
                    InterfaceRole.Egress when chain.Hops[^1] == v.Name => (chain.Egress, "egress"),
                    InterfaceRole.Management => (null, "a management interface is a veth pair"),
                    _ => (null, $"{v.Name} is not the {(i.Role == InterfaceRole.Ingress ? "first" : "last")} hop of chain {chain.Name}, and between two VNFs there is no port to take a VF from"),
                };
                if (port is null) { Error(new(path, $"{what}, but {place}")); continue; }
                string? netdev = profile.Port(port)?.Netdev;
                if (netdev is null) continue;   // the chain's own check names the missing port
                if (!profile.PhysicalFunctions.Contains(netdev))
                {
                    Error(new(path, $"{what} of chain {chain.Name}'s {place} port {port}, which is not an SR-IOV PF of this board"
                        + (profile.PhysicalFunctions.Count > 0 ? $" (its PFs: {string.Join(", ", profile.PhysicalFunctions)})" : "")));
                    continue;
                }
                _pfs[(v.Name, i.Name)] = netdev;
                if (chain.Bypass == BypassPolicy.FailOpen)
                    Error(new($"chains chain {chain.Name} bypass", $"fail-open cannot go around {v.Name}: it meets port {port} through a VF, which the NIC feeds directly"));
                if (i.Role == InterfaceRole.Ingress && chain.MatchText != "all")
                    Error(new($"chains chain {chain.Name} match", $"the NIC hands {v.Name} the frames of port {port} by MAC, through its VF: the chain cannot classify them"));
            }
        }
    }
}
