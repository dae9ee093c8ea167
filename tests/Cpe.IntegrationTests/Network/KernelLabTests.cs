using System.Text.Json.Nodes;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>What this machine's kernel lacks, in the kernel lab: real SR-IOV on igb, bridge VLAN filtering.</summary>
[Trait("Kind", "KernelLab")]
public class KernelLabTests
{
    [Fact]
    public async Task An_igb_nic_in_the_lab_has_real_sriov()
    {
        var lab = await KernelLab.RunAsync("""
            pf=$(ls /sys/class/net | grep -v lo | head -n 1)
            echo "LAB totalvfs=$(cat /sys/class/net/$pf/device/sriov_totalvfs)"
            echo 4 > /sys/class/net/$pf/device/sriov_numvfs
            sleep 1
            echo "LAB numvfs=$(cat /sys/class/net/$pf/device/sriov_numvfs)"
            ls -d /sys/class/net/$pf/device/virtfn* | sed 's/^/LAB virtfn=/'
            cpe-labagent links
            """, [Binaries.LabAgent]);
        Assert.True(lab.ExitStatus == 0, lab.ToString());
        Assert.Contains("totalvfs=7", lab.Facts);
        Assert.Contains("numvfs=4", lab.Facts);
        Assert.Equal(4, lab.Facts.Count(f => f.StartsWith("virtfn=")));
        // The PF and its 4 VFs (igbvf netdevs), as our own netlink dump reports them.
        Assert.True(lab.Facts.Count(f => f.StartsWith("link=eth")) >= 5, lab.ToString());
    }

    [Fact]
    public async Task Bridge_vlan_filtering_through_our_netlink_matches_iproute2_in_the_lab()
    {
        var lab = await KernelLab.RunAsync("""
            cpe-labagent vlan br-lan ge0 ge0-peer 10
            echo "LAB iproute2=$(bridge -j vlan show dev ge0)"
            echo "LAB filtering=$(ip -j -d link show dev br-lan | grep -o '"vlan_filtering":[0-9]')"
            """, [Binaries.LabAgent], nics: 0);
        Assert.True(lab.ExitStatus == 0, lab.ToString());
        Assert.Contains("vlan=10,pvid=True,untagged=True", lab.Facts);
        Assert.Contains("filtering=\"vlan_filtering\":1", lab.Facts);
        var iproute2 = JsonNode.Parse(lab.Facts.Single(f => f.StartsWith("iproute2="))["iproute2=".Length..])!.AsArray();
        var vlan = iproute2.Single()!["vlans"]!.AsArray().Single(v => v!["vlan"]!.GetValue<int>() == 10)!;
        Assert.Equal(["PVID", "Egress Untagged"], vlan["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task Vf_settings_through_our_netlink_are_what_iproute2_shows_on_a_real_igb_pf()
    {
        var lab = await KernelLab.RunAsync("""
            ip link set eth0 up
            echo 2 > /sys/class/net/eth0/device/sriov_numvfs
            sleep 1
            cpe-labagent vf eth0 1 02:00:00:00:01:01 100 2 100
            echo "LAB iproute2=$(ip -j -d link show dev eth0)"
            """, [Binaries.LabAgent]);
        Assert.True(lab.ExitStatus == 0, lab.ToString());
        Assert.Contains("vfcount=2", lab.Facts);
        var ours = lab.Facts.Single(f => f.StartsWith("vf=1,"));
        Assert.Equal("vf=1,mac=02:00:00:00:01:01,vlan=100,qos=2,spoofchk=False,trust=True,max=100", ours);
        Assert.DoesNotContain(lab.Facts, f => f.StartsWith("rate-error="));

        var pf = JsonNode.Parse(lab.Facts.Single(f => f.StartsWith("iproute2="))["iproute2=".Length..])!.AsArray().Single()!;
        var vf1 = pf["vfinfo_list"]!.AsArray().Single(v => v!["vf"]!.GetValue<int>() == 1)!;
        Assert.Equal("02:00:00:00:01:01", vf1["address"]!.GetValue<string>());
        var vlan = vf1["vlan_list"]!.AsArray().Single()!;
        Assert.Equal((100, 2), (vlan["vlan"]!.GetValue<int>(), vlan["qos"]!.GetValue<int>()));
        Assert.False(vf1["spoofchk"]!.GetValue<bool>());
        Assert.True(vf1["trust"]!.GetValue<bool>());
        Assert.Equal(100, vf1["rate"]!["max_tx"]!.GetValue<int>());
    }

    [Fact]
    public async Task Changing_the_vf_count_goes_through_zero_as_the_kernel_requires()
    {
        var lab = await KernelLab.RunAsync("""
            if echo 3 > /sys/class/net/eth0/device/sriov_numvfs && echo 1 > /sys/class/net/eth0/device/sriov_numvfs; then echo "LAB direct=accepted"; else echo "LAB direct=refused"; fi
            echo 0 > /sys/class/net/eth0/device/sriov_numvfs
            cpe-labagent numvfs eth0 4 2 0 7
            """, [Binaries.LabAgent], nics: 2);
        Assert.True(lab.ExitStatus == 0, lab.ToString());
        Assert.Contains("direct=refused", lab.Facts);   // the kernel's rule that SetNumVfs works around
        var counts = lab.Facts.Where(f => f.StartsWith("numvfs=")).ToList();
        Assert.Equal(["numvfs=4", "numvfs=2", "numvfs=0", "numvfs=7"], counts.Select(c => c.Split(',')[0]));
        Assert.DoesNotContain("-", counts[0].Split("netdevs=")[1].Split('+'));   // every VF has its netdev
        Assert.Contains("pfs=eth0+eth1,total=7", lab.Facts);
    }

    /// <summary>
    /// The product itself in the lab: cped with a board profile naming two igb PFs and two front ports,
    /// configured through cpe. iproute2 reads back every VF setting and the bridge VLANs; then each PF is
    /// reset behind cped's back (0, then the count again) and read again one second later.
    /// </summary>
    [Fact]
    public async Task Cped_configures_VFs_on_two_igb_PFs_and_bridge_VLANs_and_restores_VFs_after_a_PF_reset()
    {
        string board = """{"model":"lab","ports":[{"name":"ge-0/0/1","netdev":"p1"},{"name":"ge-0/0/2","netdev":"p2"}],"sriov":{"driver":"kernel","pfs":[{"netdev":"eth0"},{"netdev":"eth1"}]}}""";
        string commands = "configure; "
            + "set sriov pf eth0 vf-count 3 vf 0 mac 02:00:00:00:00:a0 vlan 100 qos 2 spoofcheck false trust true max-tx-rate 100; "
            + "set sriov pf eth1 vf-count 2 vf 1 mac 02:00:00:00:01:b1 vlan 200 trust true max-tx-rate 200; "
            + "set bridges bridge lan vlan-filtering true interface ge-0/0/1 pvid 10 vlan 20; set bridges bridge lan interface ge-0/0/2 vlan 30; commit";
        var lab = await KernelLab.RunAsync($$"""
            mkdir -p /etc; echo 'root:x:0:0:root:/:/bin/sh' > /etc/passwd
            ip link set eth0 up; ip link set eth1 up; sleep 2   # igb takes a rate limit only with the link up at 1 Gbit/s
            ip link add p1 type veth peer name p1x; ip link add p2 type veth peer name p2x
            cat > /tmp/board.json <<'EOF'
            {{board}}
            EOF
            cped --state-dir /tmp/state --socket /tmp/api.sock --board /tmp/board.json > /tmp/cped.log 2>&1 &
            for i in 1 2 3 4 5 6 7 8 9 10; do [ -S /tmp/api.sock ] && break; sleep 1; done
            cpe --socket /tmp/api.sock -c "{{commands}}"
            echo "LAB eth0=$(ip -j -d link show dev eth0)"
            echo "LAB eth1=$(ip -j -d link show dev eth1)"
            echo "LAB vlans=$(bridge -j vlan show)"
            echo 0 > /sys/class/net/eth0/device/sriov_numvfs; echo 3 > /sys/class/net/eth0/device/sriov_numvfs
            echo 0 > /sys/class/net/eth1/device/sriov_numvfs; echo 2 > /sys/class/net/eth1/device/sriov_numvfs
            sleep 1
            echo "LAB after-eth0=$(ip -j -d link show dev eth0)"
            echo "LAB after-eth1=$(ip -j -d link show dev eth1)"
            cpe --socket /tmp/api.sock -c "show sriov"
            cat /tmp/cped.log
            """, [Binaries.Cped, Binaries.Cpe, Path.Combine(Binaries.Directory, "libe_sqlite3.so")], nics: 2);
        Assert.True(lab.ExitStatus == 0, lab.ToString());

        JsonObject Vf(string fact, int vf) =>
            JsonNode.Parse(lab.Facts.Single(f => f.StartsWith(fact + "="))[(fact.Length + 1)..])!.AsArray().Single()!["vfinfo_list"]!.AsArray()
                .Single(v => v!["vf"]!.GetValue<int>() == vf)!.AsObject();
        void Expect(JsonObject vf, string mac, int vlan, int qos, bool spoofchk, bool trust, int maxRate)
        {
            Assert.Equal(mac, vf["address"]!.GetValue<string>());
            var v = vf["vlan_list"]!.AsArray().Single()!;
            Assert.Equal((vlan, qos), (v["vlan"]!.GetValue<int>(), v["qos"]?.GetValue<int>() ?? 0));   // iproute2 leaves out a QoS of 0
            Assert.Equal((spoofchk, trust, maxRate), (vf["spoofchk"]!.GetValue<bool>(), vf["trust"]!.GetValue<bool>(), vf["rate"]!["max_tx"]!.GetValue<int>()));
        }
        Expect(Vf("eth0", 0), "02:00:00:00:00:a0", 100, 2, false, true, 100);
        Expect(Vf("eth1", 1), "02:00:00:00:01:b1", 200, 0, true, true, 200);
        Assert.Equal(3, JsonNode.Parse(lab.Facts.Single(f => f.StartsWith("eth0="))[5..])!.AsArray().Single()!["vfinfo_list"]!.AsArray().Count);

        var vlans = JsonNode.Parse(lab.Facts.Single(f => f.StartsWith("vlans="))[6..])!.AsArray()
            .ToDictionary(p => p!["ifname"]!.GetValue<string>(), p => p!["vlans"]!.AsArray()
                .Select(v => $"{v!["vlan"]}{(v["flags"]?.AsArray().Select(f => f!.GetValue<string>()) is { } flags ? ":" + string.Join('+', flags) : "")}").ToList());
        Assert.Equal(["10:PVID+Egress Untagged", "20"], vlans["p1"]);
        Assert.Equal(["1:PVID+Egress Untagged", "30"], vlans["p2"]);

        // The reset really wiped the settings (cped's log says what it had to put back, sometimes before the
        // script could even look), and one second later they were all back.
        Assert.Contains("network brought back to the configuration", lab.Console);
        Assert.Contains("sriov pf eth0 vf 0: mac 02:00:00:00:00:a0", lab.Console.Split("network brought back")[1]);
        Expect(Vf("after-eth0", 0), "02:00:00:00:00:a0", 100, 2, false, true, 100);
        Expect(Vf("after-eth1", 1), "02:00:00:00:01:b1", 200, 0, true, true, 200);
    }
}
