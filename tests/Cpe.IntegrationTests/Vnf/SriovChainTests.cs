using Cpe.Api;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// A chain whose last hop meets its egress port through an SR-IOV VF, on the simulated board: the NAT's outside
/// interface is a VF of the emulated NIC (a macvlan on the PF sriov0, front port xe-0/0/0 here), lent into the NAT's
/// namespace. The LAN host reaches a host on the PF's wire through the NAT; the host steers only the LAN side, and the
/// VF comes back to cped's namespace when the VNF goes. The same code on a real igb NIC is LabSriovChainTests.
/// </summary>
[Collection(nameof(VnfChainCollection))]
[Trait("Kind", "Integration")]
public sealed class SriovChainTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly ChainLab _lab = new(pfPort: true);
    readonly TestNamespace _far = new();

    const string Nat = "set vnfs vnf nat package natvf cpus 0.2 memory 48M; "
        + "set vnfs vnf nat environment NAT_INSIDE_IP=192.168.50.1; "
        + "set vnfs vnf nat environment NAT_OUTSIDE_IP=198.51.100.200; "
        + "set vnfs vnf nat environment NAT_OUTSIDE_PREFIX=24; ";

    public async Task InitializeAsync()
    {
        try
        {
            _lab.AddressLanHost();
            // The PF's wire ends at a host of its own: the far side, 198.51.100.1.
            _lab.Lan.Ip("link", "set", "pf0", "netns", _far.Name);
            _far.Ip("addr", "add", "198.51.100.1/24", "dev", "pf0");
            _far.Ip("link", "set", "pf0", "up");
            await _lab.StartCpedAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        _far.Dispose();
    }

    [Fact]
    public async Task A_nat_whose_outside_is_a_VF_of_the_egress_port_carries_the_lan_to_the_far_host_and_gives_the_VF_back()
    {
        var added = await _lab.Cli($"request vnf package add {ChainLab.NatPackage(_lab.StateDirectory, "in:virtio:ingress,out:sriov:egress")}");
        Assert.True(added.ExitCode == 0, added.Output + added.Error);

        // A VF only comes from an SR-IOV PF, as many as vf-count makes; fail-open cannot go around a VF.
        var notPf = await _lab.Cli("configure; " + Nat + "set chains chain edge ingress ge-0/0/1 egress ge-0/0/0 hop nat; commit check");
        Assert.Contains("asks for an SR-IOV VF of chain edge's egress port ge-0/0/0, which is not an SR-IOV PF of this board (its PFs: sriov0)", notPf.Output + notPf.Error);
        var short_ = await _lab.Cli("configure; " + Nat + "set chains chain edge ingress ge-0/0/1 egress xe-0/0/0 hop nat bypass fail-open; commit check");
        Assert.Contains("the VNFs need 1 VF of sriov0 (nat 1 x 1); sriov pf sriov0 has vf-count 0: 1 short", short_.Output + short_.Error);
        Assert.Contains("fail-open cannot go around nat: it meets port xe-0/0/0 through a VF", short_.Output + short_.Error);

        var commit = await _lab.Cli("configure; set sriov pf sriov0 vf-count 2; " + Nat + "set chains chain edge ingress ge-0/0/1 egress xe-0/0/0 hop nat bypass fail-closed; commit");
        Assert.True(commit.ExitCode == 0 && commit.Output.Contains("commit complete"), commit.Output + commit.Error + _lab.Cped.Log());
        var running = await _lab.WaitForVnfsAsync(v => v.Length == 1 && v[0].State == "running", "the NAT running");

        // The VF left cped's namespace for the NAT's, under the descriptor's name; the host has no rule on the PF.
        var netns = $"{_lab.Id}-nat-0";
        Assert.DoesNotContain("sriov0v0", _lab.Sim.Ip("-o", "link", "show"));
        Assert.Contains("macvlan", Command.Run("ip", ["-n", netns, "-d", "-o", "link", "show", "out"]));   // the emulated VF
        Assert.DoesNotContain("sriov0", Command.Run("ip", ["netns", "exec", _lab.Sim.Box, "nft", "list", "table", "netdev", "cpe-chains"]));

        Assert.True(Enumerable.Range(0, 5).Any(_ => WireLab.Pings(_lab.Lan, "198.51.100.1")), "ping LAN → far host through the NAT's VF\n" + _lab.Cped.Log());
        var shown = await _lab.Cli("show vnf nat-0 detail; show chain edge");
        output.WriteLine(shown.Output);
        Assert.Contains("Interface out (egress): MAC", shown.Output);
        Assert.Contains("SR-IOV VF sriov0 vf 0", shown.Output);
        await using (var api = await _lab.Cped.ConnectAsync())
        {
            var nat = (await api.ChainsAsync()).Single().Hops.Single().Replicas.Single();
            Assert.True(nat.ForwardIn > 0 && nat.ForwardOut > 0 && nat.ReturnIn > 0 && nat.ReturnOut > 0, $"{nat}");
        }

        // cped killed and started again: the NAT keeps its PID and its VF; traffic still passes.
        await _lab.Cped.KillAsync();
        await _lab.StartCpedAsync();
        var adopted = await _lab.WaitForVnfsAsync(v => v.Length == 1 && v[0].State == "running", "the NAT adopted");
        Assert.Equal(running[0].Pid, adopted[0].Pid);
        Assert.Contains("SR-IOV VF sriov0 vf 0", (await _lab.Cli("show vnf nat-0 detail")).Output);
        Assert.True(Enumerable.Range(0, 5).Any(_ => WireLab.Pings(_lab.Lan, "198.51.100.1")), "ping after cped's restart\n" + _lab.Cped.Log());

        // Deleting the VNF gives the VF back to cped's namespace, under its own name; the PF still has both VFs.
        var removed = await _lab.Cli("configure; delete chains; delete vnfs; commit");
        Assert.True(removed.ExitCode == 0, removed.Output + removed.Error);
        Assert.Contains("sriov0v0", _lab.Sim.Ip("-o", "link", "show"));
        Assert.Equal("2", File.ReadAllText(Path.Combine(_lab.Sim.SysfsRoot, "class/net/sriov0/device/sriov_numvfs")).Trim());
        Assert.False(File.Exists($"/run/netns/{netns}"));
    }
}
