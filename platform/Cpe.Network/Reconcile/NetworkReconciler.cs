using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Netlink;
using Cpe.Network.Sriov;

namespace Cpe.Network.Reconcile;

/// <summary>What one reconcile did: the steps applied, and the kernel writes they took.</summary>
public sealed record ReconcileResult(IReadOnlyList<string> Applied, long NetlinkWrites, long FileWrites);

/// <summary>
/// Brings the kernel's network to the configuration: reads the kernel, plans the difference phase by
/// phase, applies it, and undoes everything it applied when a step fails (docs/reference/network.md).
/// Owns the bridges whose alias carries the "cpe:" marker and the board's front ports and PFs; never
/// touches anything else. One reconcile at a time.
/// </summary>
public sealed class NetworkReconciler(INetworkKernel kernel, NetworkProfile profile, ISriovDriver? sriov)
{
    readonly Lock _gate = new();

    public NetworkProfile Profile => profile;
    public ISriovDriver? Sriov => sriov;

    /// <summary>The address the DHCP client holds on a netdev, which the reconciler keeps like a configured one.</summary>
    public Func<string, IpPrefix?> DhcpAddress { get; set; } = _ => null;

    /// <summary>Called before each step runs (tests use it to pull a port away mid-reconcile).</summary>
    internal Action<NetworkStep>? BeforeStep { get; set; }

    /// <summary>
    /// How long to wait, after changing VF counts, for a PF's link to come back: a NIC resets its port to
    /// make VFs, and some settings (igb's rate limit) are refused until the link is up again.
    /// </summary>
    public TimeSpan PfSettleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public DesiredNetwork Check(JsonObject config) => DesiredNetwork.From(config, profile, TotalVfs);

    /// <summary>What the NIC offers, capped by the board profile's limit for this PF (when it gives one).</summary>
    int TotalVfs(string pf)
    {
        int kernel;
        try { kernel = sriov?.TotalVfs(pf) ?? 0; }
        catch (SriovException) { return 0; }
        return profile.Sriov?.Pfs?.FirstOrDefault(p => p.Netdev == pf)?.MaxVfs is int limit ? Math.Min(kernel, limit) : kernel;
    }

    public ReconcileResult Reconcile(JsonObject config) => Reconcile(Check(config));

    /// <summary>Brings the kernel to an already checked wanted state (see <see cref="Check"/>).</summary>
    public ReconcileResult Reconcile(DesiredNetwork want)
    {
        lock (_gate)
        {
            long netlinkBefore = kernel.Writes, filesBefore = sriov?.FileWrites ?? 0;
            var planner = new NetworkPlanner(want, kernel, sriov, DhcpAddress);
            var runner = new StepRunner();
            var applied = new List<string>();
            bool withVlans = want.Bridges.Any(b => b.VlanFiltering);
            KernelView Read() => KernelView.Read(kernel, sriov, profile.PhysicalFunctions, withVlans);
            void Run(IEnumerable<NetworkStep> steps) =>
                runner.Run(steps.Select(s => { BeforeStep?.Invoke(s); applied.Add($"{s.Target}: {s.Action}"); return s; }));
            try
            {
                var view = Read();
                Run(planner.SriovCounts(view));
                if (runner.Applied > 0)
                {
                    WaitForPfLinks(view);
                    view = Read();
                }
                Run(planner.VfSettings(view));
                int beforeLinks = runner.Applied;
                Run(planner.Links(view));
                var after = runner.Applied > beforeLinks && withVlans ? Read() : view;
                Run(planner.Vlans(after));
                Run(planner.Finish(view));
            }
            catch (NetworkPlanException e)
            {
                // Found after earlier phases changed the kernel: take those back too.
                var failures = runner.UndoAll();
                if (failures.Count > 0) throw new NetworkReconcileException(e.Target, "planning", e, failures);
                throw;
            }
            return new ReconcileResult(applied, kernel.Writes - netlinkBefore, (sriov?.FileWrites ?? 0) - filesBefore);
        }
    }

    /// <summary>Waits until every PF that had its link up before has it up again, or the timeout passes.</summary>
    void WaitForPfLinks(KernelView before)
    {
        var waiting = profile.PhysicalFunctions.Where(pf => before.Link(pf) is { AdminUp: true, Carrier: true }).ToList();
        var deadline = DateTime.UtcNow + PfSettleTimeout;
        while (waiting.Count > 0 && DateTime.UtcNow < deadline)
        {
            waiting.RemoveAll(pf => kernel.Link(pf) is { Carrier: true });
            if (waiting.Count > 0) Thread.Sleep(20);
        }
    }
}
