using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Config;
using Cpe.Netlink;
using Cpe.Network.Reconcile;
using Cpe.Network.Sriov;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>
/// The network reconciler against the simulated board's real kernel objects, with iproute2 as the
/// independent reader of what it did.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class NetworkReconcilerTests : IDisposable
{
    readonly SimBoard _sim = new(lanPorts: 3, totalVfs: 7);
    readonly RouteNetlink _rtnl;
    readonly NetworkReconciler _reconciler;
    readonly EmulatedSriovDriver _sriov;

    public NetworkReconcilerTests()
    {
        _rtnl = RouteNetlink.OpenIn($"/run/netns/{_sim.Box}");
        _sriov = new EmulatedSriovDriver(_rtnl, _sim.SysfsRoot);
        _reconciler = new NetworkReconciler(new NetlinkNetworkKernel(_rtnl), Cpe.Board.Profile.BoardProfileLoader.Load(_sim.ProfilePath).Network, _sriov);
    }

    public void Dispose()
    {
        _rtnl.Dispose();
        _sim.Dispose();
    }

    static JsonObject Config(string setCommands)
    {
        var tree = new JsonObject();
        foreach (var line in setCommands.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            foreach (var path in ConfigPath.ParseStatements(TokenText.Split(line)))
                ConfigTree.Set(tree, path);
        Assert.Empty(ConfigValidator.Validate(tree));
        return tree;
    }

    const string Full = """
        bridges bridge lan description "customer lan" address 192.168.1.1/24
        bridges bridge lan interface ge-0/0/1
        bridges bridge lan interface ge-0/0/2
        interfaces interface ge-0/0/3 description spare mtu 9000 admin-state down address 10.0.0.1/24
        interfaces interface ge-0/0/3 address 2001:db8::1/64
        sriov pf sriov0 vf-count 3 vf 0 mac 02:aa:00:00:00:01
        sriov pf sriov0 vf 2 vlan 42 qos 3 spoofcheck false trust true max-tx-rate 100
        """;

    JsonObject Link(string name) => (JsonObject)_sim.IpJson("-d", "link", "show").Single(l => l!["ifname"]!.GetValue<string>() == name)!;

    [Fact]
    public void Reconciles_bridge_ports_addresses_and_vfs_as_iproute2_sees_them_and_a_second_pass_writes_nothing()
    {
        var first = _reconciler.Reconcile(Config(Full));
        Assert.NotEmpty(first.Applied);

        var bridge = Link("br-lan");
        Assert.Equal("bridge", bridge["linkinfo"]!["info_kind"]!.GetValue<string>());
        Assert.Equal("cpe:customer lan", bridge["ifalias"]!.GetValue<string>());
        Assert.Contains("UP", bridge["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
        foreach (var port in new[] { "ge-0-0-1", "ge-0-0-2" })
        {
            Assert.Equal("br-lan", Link(port)["master"]!.GetValue<string>());
            Assert.Contains("UP", Link(port)["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
        }
        var spare = Link("ge-0-0-3");
        Assert.Equal(9000, spare["mtu"]!.GetValue<int>());
        Assert.DoesNotContain("UP", spare["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("cpe:spare", spare["ifalias"]!.GetValue<string>());

        var addresses = _sim.IpJson("addr", "show").ToDictionary(l => l!["ifname"]!.GetValue<string>(),
            l => l!["addr_info"]!.AsArray().Select(a => $"{a!["local"]}/{a["prefixlen"]}").ToList());
        Assert.Contains("192.168.1.1/24", addresses["br-lan"]);
        Assert.Contains("10.0.0.1/24", addresses["ge-0-0-3"]);
        Assert.Contains("2001:db8::1/64", addresses["ge-0-0-3"]);

        // The emulated NIC: one macvlan (bridge mode) per VF on the PF, with the VF's MAC.
        for (int vf = 0; vf < 3; vf++)
        {
            var link = Link($"sriov0v{vf}");
            Assert.Equal("macvlan", link["linkinfo"]!["info_kind"]!.GetValue<string>());
            Assert.Equal("bridge", link["linkinfo"]!["info_data"]!["mode"]!.GetValue<string>());
            Assert.Equal("sriov0", link["link"]!.GetValue<string>());
        }
        Assert.Equal("02:aa:00:00:00:01", Link("sriov0v0")["address"]!.GetValue<string>());
        Assert.Equal("3", File.ReadAllText(Path.Combine(_sim.SysfsRoot, "class/net/sriov0/device/sriov_numvfs")));
        var vf2 = _sriov.Vfs("sriov0").Single(v => v.Vf == 2);
        Assert.Equal((42, 3, false, true, 100u), (vf2.Vlan, vf2.Qos, vf2.SpoofCheck!.Value, vf2.Trust!.Value, vf2.MaxTxRate));

        var second = _reconciler.Reconcile(Config(Full));
        Assert.Empty(second.Applied);
        Assert.Equal(0, second.NetlinkWrites);
        Assert.Equal(0, second.FileWrites);
    }

    [Fact]
    public void Removing_configuration_takes_back_what_it_made_and_leaves_what_is_not_cpeds()
    {
        _rtnl.CreateBridge("br-keep");   // someone else's: no "cpe:" alias
        _reconciler.Reconcile(Config(Full));
        _reconciler.Reconcile(Config("sriov pf sriov0 vf-count 2"));

        var names = _sim.IpJson("link", "show").Select(l => l!["ifname"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain("br-lan", names);
        Assert.Contains("br-keep", names);
        Assert.Equal(["sriov0v0", "sriov0v1"], names.Where(n => n.StartsWith("sriov0v", StringComparison.Ordinal)).Order());
        Assert.Null(Link("ge-0-0-1")["master"]);
        Assert.Equal(1500, Link("ge-0-0-3")["mtu"]!.GetValue<int>());
        Assert.Null(Link("ge-0-0-3")["ifalias"] is JsonValue v && v.GetValue<string>() != "cpe:" ? v : null);
        var spare = _sim.IpJson("addr", "show", "dev", "ge-0-0-3").Single()!["addr_info"]!.AsArray();
        Assert.DoesNotContain(spare, a => a!["local"]!.GetValue<string>() is "10.0.0.1" or "2001:db8::1");
    }

    /// <summary>What a failed reconcile must leave exactly as it found it: each link's identity and settings, and every address.</summary>
    string KernelSnapshot(params string[] except)
    {
        var links = _sim.IpJson("-d", "link", "show").Select(l => l!.AsObject())
            .Where(l => !except.Contains(l["ifname"]!.GetValue<string>()))
            .Select(l => string.Join(' ', l["ifindex"], l["ifname"], l["mtu"], l["master"], l["address"], l["ifalias"],
                l["linkinfo"]?["info_kind"], string.Join(',', l["flags"]!.AsArray().Select(f => f!.GetValue<string>()).Where(f => f != "LOWER_UP"))));
        var addresses = _sim.IpJson("addr", "show").Select(l => l!.AsObject())
            .Where(l => !except.Contains(l["ifname"]!.GetValue<string>()))
            .SelectMany(l => l["addr_info"]!.AsArray().Select(a => $"{l["ifname"]} {a!["local"]}/{a["prefixlen"]}"));
        return string.Join('\n', links.Concat(addresses.Order()));
    }

    [Fact]
    public void A_port_that_vanishes_midway_fails_the_reconcile_with_its_name_and_everything_else_is_put_back()
    {
        _reconciler.Reconcile(Config("interfaces interface ge-0/0/1 mtu 2000"));
        string before = KernelSnapshot("ge-0-0-3");
        _reconciler.BeforeStep = step =>
        {
            if (step.Target == "ge-0-0-3" && step.Action.StartsWith("add address", StringComparison.Ordinal))
                _rtnl.DeleteLink(_rtnl.RequireLink("ge-0-0-3").Index, "ge-0-0-3");
        };
        var e = Assert.Throws<NetworkReconcileException>(() => _reconciler.Reconcile(Config(Full)));
        Assert.Equal("ge-0-0-3", e.Target);
        Assert.StartsWith("ge-0-0-3: add address 10.0.0.1/24 failed: ", e.Message);
        // Only the vanished port's own changes cannot be taken back, and the error says so.
        Assert.NotEmpty(e.UndoFailures);
        Assert.All(e.UndoFailures, f => Assert.StartsWith("ge-0-0-3: undo of ", f));
        Assert.Equal(before, KernelSnapshot("ge-0-0-3"));
    }

    [Fact]
    public void A_name_collision_is_reported_before_anything_changes()
    {
        _rtnl.CreateVeth("br-lan", "br-lan-peer");
        string before = KernelSnapshot();
        var e = Assert.Throws<NetworkPlanException>(() => _reconciler.Reconcile(Config(Full)));
        Assert.Equal("bridges bridge lan", e.Target);
        Assert.Contains("br-lan already exists and is not cped's (veth", e.Message);
        Assert.Equal(before, KernelSnapshot());
    }

    [Fact]
    public void A_step_the_kernel_refuses_late_undoes_the_VFs_bridge_and_ports_made_before_it()
    {
        // This machine's kernel has no bridge VLAN filtering: the step is refused after VFs, the bridge and its ports exist.
        using (var probe = new TestNamespace())
        {
            probe.Ip("link", "add", "b0", "type", "bridge");
            try { probe.Ip("link", "set", "b0", "type", "bridge", "vlan_filtering", "1"); return; }   // the kernel lab covers kernels that have it
            catch (InvalidOperationException) { }
        }
        string before = KernelSnapshot();
        var e = Assert.Throws<NetworkReconcileException>(() => _reconciler.Reconcile(Config(Full + "\nbridges bridge lan vlan-filtering true")));
        Assert.Equal("br-lan", e.Target);
        Assert.StartsWith("br-lan: vlan-filtering on failed: ", e.Message);
        Assert.Equal(before, KernelSnapshot());
        Assert.Equal("0", File.ReadAllText(Path.Combine(_sim.SysfsRoot, "class/net/sriov0/device/sriov_numvfs")));
    }

    [Fact]
    public void Rules_that_need_the_board_are_errors_with_their_paths()
    {
        var e = Assert.Throws<NetworkConfigException>(() => _reconciler.Check(Config("""
            interfaces interface ge-0/0/9 mtu 1600
            bridges bridge a interface ge-0/0/1 pvid 10
            bridges bridge b interface ge-0/0/1
            sriov pf sriov0 vf-count 9
            sriov pf eth7 vf-count 1
            """)));
        Assert.Equal([
            ("bridges bridge a interface ge-0/0/1", "pvid and vlan need 'vlan-filtering true' on the bridge"),
            ("bridges bridge b interface ge-0/0/1", "the port is already a member of bridge a"),
            ("interfaces interface ge-0/0/9", "this box (sim) has no port ge-0/0/9; its ports are ge-0/0/0, ge-0/0/1, ge-0/0/2, ge-0/0/3"),
            ("sriov pf eth7", "this box has no SR-IOV physical function eth7 (it has: sriov0)"),
            ("sriov pf sriov0 vf-count", "sriov0 supports at most 7 virtual functions"),
        ], e.Errors.Select(x => (x.Path, x.Message)).Order());
    }

    [Fact]
    public void Frames_for_an_emulated_VFs_MAC_reach_that_VF_as_a_NICs_layer_2_sorter_sends_them()
    {
        _reconciler.Reconcile(Config("sriov pf sriov0 vf-count 2 vf 1 mac 02:aa:00:00:00:02"));
        // The VF as a VNF would use it: in its own namespace, up, with an address; the PF's far end (pf0) is the wire.
        using var vnf = new TestNamespace();
        _sim.Ip("link", "set", "sriov0v1", "netns", vnf.Name);
        vnf.Ip("addr", "add", "10.1.0.2/24", "dev", "sriov0v1");
        vnf.Ip("link", "set", "sriov0v1", "up");
        Command.Run("ip", ["-n", _sim.Lan, "addr", "add", "10.1.0.1/24", "dev", "pf0"]);
        Command.Run("ip", ["netns", "exec", _sim.Lan, "timeout", "2", "bash", "-c", "echo > /dev/tcp/10.1.0.2/9"], check: false);

        // The far end resolved the VF's address to the configured MAC: the ARP reached the VF and the VF answered.
        var neighbour = JsonNode.Parse(Command.Run("ip", ["-n", _sim.Lan, "-j", "neigh", "show", "10.1.0.2"]))!.AsArray().Single()!;
        Assert.Equal("02:aa:00:00:00:02", neighbour["lladdr"]!.GetValue<string>());
        var stats = vnf.IpJson("-s", "link", "show", "sriov0v1").Single()!["stats64"]!["rx"]!["packets"]!.GetValue<long>();
        Assert.True(stats > 0, "the VF received the frames");
        Assert.Equal(0, _sim.IpJson("-s", "link", "show", "sriov0v0").Single()!["stats64"]!["rx"]!["packets"]!.GetValue<long>());
    }
}
