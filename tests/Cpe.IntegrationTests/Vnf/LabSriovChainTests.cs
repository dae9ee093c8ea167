using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// SR-IOV VF hops on real hardware, in the kernel lab: two igb NICs (Intel 82576) with real VFs are the chain's ports,
/// each wired (a QEMU hub) to a host of its own on another igb NIC. cped lends the NAT one VF of each PF: its inside a
/// VF of the LAN port, its outside a VF of the far port. The igb NIC's switch then carries the LAN host's ping to the
/// far host through the NAT with no host steering at all (once the VFs' links are up: making VFs resets the PF, and
/// igbvf's link follows seconds later); deleting the VNF gives both VFs back.
/// </summary>
[Trait("Kind", "KernelLab")]
public sealed class LabSriovChainTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-vnf-lab-sriov-");

    /// <summary>Four igb NICs, told apart by MAC: the two PFs (…:01 LAN side, …:02 far side) and each side's host (…:03, …:04).</summary>
    static IEnumerable<string> Nics()
    {
        foreach (var (n, hub) in new[] { (1, 0), (2, 1), (3, 0), (4, 1) })
            foreach (var arg in new[] { "-netdev", $"hubport,id=h{n},hubid={hub}", "-device", $"pcie-root-port,id=rp{n},chassis={n}", "-device", $"igb,netdev=h{n},bus=rp{n},mac=52:54:00:00:00:0{n}" })
                yield return arg;
    }

    [Fact]
    public async Task A_nat_between_VFs_of_two_igb_PFs_carries_the_lan_host_s_ping_to_the_far_host_and_gives_the_VFs_back()
    {
        string package = ChainLab.NatPackage(_dir.Path, "in:sriov:ingress,out:sriov:egress");
        const string Vnf = "set vnfs vnf nat package natvf cpus 0.2 memory 48M; set vnfs vnf nat environment NAT_INSIDE_IP=192.168.50.1; "
            + "set vnfs vnf nat environment NAT_OUTSIDE_IP=198.51.100.200; set vnfs vnf nat environment NAT_OUTSIDE_PREFIX=24; "
            + "set chains chain edge ingress ge-0/0/1 egress ge-0/0/0 hop nat";
        var lab = await KernelLab.RunAsync(KernelLab.InTmpfsRoot($$$"""
            mount -t cgroup2 none /sys/fs/cgroup
            mkdir -p /etc /run/netns; echo 'root:x:0:0:root:/:/bin/sh' > /etc/passwd
            nic() { for d in /sys/class/net/*; do [ "$(cat $d/address)" = "$1" ] && basename $d; done; }
            lanpf=$(nic 52:54:00:00:00:01); farpf=$(nic 52:54:00:00:00:02); lanif=$(nic 52:54:00:00:00:03); farif=$(nic 52:54:00:00:00:04)
            echo "LAB pfs=$lanpf,$farpf"
            /lab/ip netns add lanhost; /lab/ip link set $lanif netns lanhost
            /lab/ip -n lanhost addr add 192.168.50.10/24 dev $lanif; /lab/ip -n lanhost link set $lanif up; /lab/ip -n lanhost route add default via 192.168.50.1
            /lab/ip netns add farhost; /lab/ip link set $farif netns farhost
            /lab/ip -n farhost addr add 198.51.100.1/24 dev $farif; /lab/ip -n farhost link set $farif up
            /lab/ip link set $lanpf up; /lab/ip link set $farpf up
            cat > /tmp/board.json <<EOF
            {"model":"lab","cpu":{"platformCores":[0],"vnfCores":[1]},
             "ports":[{"name":"ge-0/0/0","netdev":"$farpf","role":"wan"},{"name":"ge-0/0/1","netdev":"$lanpf"}],
             "sriov":{"driver":"kernel","pfs":[{"netdev":"$lanpf"},{"netdev":"$farpf"}]}}
            EOF
            LD_LIBRARY_PATH=/lab /lab/cped --state-dir /tmp/state --socket /tmp/api.sock --board /tmp/board.json --vnf-runtime /lab/cpe-runtime --vnf-trust /lab/vendor-ca.pem > /tmp/cped.log 2>&1 &
            for i in $(seq 20); do [ -S /tmp/api.sock ] && break; sleep 1; done
            /lab/cpe --socket /tmp/api.sock -c "request vnf package add /lab/natvf.tar"
            /lab/cpe --socket /tmp/api.sock -c "configure; set sriov pf $lanpf vf-count 2; set sriov pf $farpf vf-count 2; {{{Vnf}}}; commit" || true
            for i in $(seq 30); do /lab/cpe --socket /tmp/api.sock -c "show vnf" | grep -q running && break; sleep 1; done
            # A new VF's link comes up once its PF is out of the reset that making VFs costs: seconds, on igb.
            for i in $(seq 60); do [ "$(/lab/ip -n vnf-nat-0 link show up | grep -c 'state UP')" = 2 ] && break; sleep 1; done
            echo "LAB links-after=${i}s"
            echo "LAB inside=$(/lab/ip -n vnf-nat-0 -j -d link show)"
            if /lab/ip netns exec lanhost ping -c 2 -W 3 198.51.100.1 > /tmp/ping.log 2>&1 || /lab/ip netns exec lanhost ping -c 2 -W 3 198.51.100.1 >> /tmp/ping.log 2>&1; then echo "LAB ping=ok"; else echo "LAB ping=failed"; cat /tmp/ping.log; fi
            /lab/cpe --socket /tmp/api.sock -c "show vnf nat-0 detail; show chain edge; show vnf nat-0 log"
            echo "--- diag"; /lab/ip -n vnf-nat-0 -s -d link; /lab/ip -s link show $lanpf; /lab/ip -s link show $farpf
            /lab/ip -n lanhost neigh; /lab/ip -n lanhost -s link; /lab/ip -n farhost -s link; /lab/ip -n farhost neigh; dmesg | tail -30
            /lab/cpe --socket /tmp/api.sock -c "configure; delete chains; delete vnfs; commit" || true
            echo "LAB back=$(ls /sys/class/net | tr '\n' ' ')"
            cat /tmp/cped.log
            """), [Binaries.Cped, Binaries.Cpe, Binaries.Runtime, Path.Combine(Binaries.Directory, "libe_sqlite3.so"), package, BusyboxPackage.VendorCa,
                // cped checks package signatures with OpenSSL, which .NET opens by name at run time (no ldd dependency).
                "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3"],
            nics: 0, modules: [.. KernelLab.DefaultModules, "overlay"], timeout: TimeSpan.FromSeconds(240), devices: Nics());

        Assert.True(lab.ExitStatus == 0, lab.ToString());
        output.WriteLine(lab.Console);
        Assert.True(lab.Facts.Any(f => f.StartsWith("inside=[", StringComparison.Ordinal)), lab.ToString());
        var pfs = lab.Facts.Single(f => f.StartsWith("pfs=", StringComparison.Ordinal))[4..].Split(',');
        // Inside the NAT's namespace: its two interfaces are PCI devices, the igb's VFs (igbvf), not veth pairs.
        var inside = System.Text.Json.Nodes.JsonNode.Parse(lab.Facts.Single(f => f.StartsWith("inside=", StringComparison.Ordinal))[7..])!.AsArray();
        foreach (var name in new[] { "in", "out" })
            Assert.True(inside.Any(l => l!["ifname"]!.GetValue<string>() == name && l["parentbus"]?.GetValue<string>() == "pci"), lab.ToString());
        Assert.True(lab.Facts.Contains("ping=ok"), lab.ToString());
        // igb leaves a VF's address to igbvf, which picks a random one; the PF now sets that one, so the VF is named by it.
        Assert.DoesNotContain("MAC 00:00:00:00:00:00", lab.Console);
        Assert.Contains($"SR-IOV VF {pfs[0]} vf 0", lab.Console);
        Assert.Contains($"SR-IOV VF {pfs[1]} vf 0", lab.Console);
        // Given back, under their PF's name.
        var back = lab.Facts.Single(f => f.StartsWith("back=", StringComparison.Ordinal));
        Assert.Contains($"{pfs[0]}v0", back);
        Assert.Contains($"{pfs[1]}v0", back);
    }

    public void Dispose() => _dir.Dispose();
}
