using System.Net;
using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Netlink;
using Cpe.Network.Reconcile;
using Cpe.TestKit;

namespace Cpe.UnitTests.Network;

/// <summary>The planner on kernel views written by hand: what it changes, in which order, and that a match changes nothing.</summary>
[Trait("Kind", "Unit")]
public sealed class NetworkPlannerTests
{
    static readonly NetworkProfile Board = new("sim",
        [new("ge-0/0/0", "ge-0-0-0", "wan"), new("ge-0/0/1", "ge-0-0-1"), new("ge-0/0/2", "ge-0-0-2")],
        new SriovProfile("emulated", "/nonexistent", [new PhysicalFunction("sriov0")]));

    static JsonObject Config(string json) => JsonNode.Parse(json)!.AsObject();

    static readonly JsonObject LanBridge = Config("""
        {"bridges":{"bridge":[{"name":"lan","description":"office","address":["192.168.1.1/24"],
          "interface":[{"name":"ge-0/0/1"},{"name":"ge-0/0/2"}]}]},
         "interfaces":{"interface":[{"name":"ge-0/0/0","mtu":1492,"address":["198.51.100.2/30"]}]},
         "sriov":{"pf":[{"name":"sriov0","vf-count":2,"vf":[{"name":"1","mac":"02:00:00:00:00:11","vlan":7}]}]}}
        """);

    static LinkInfo Link(int index, string name, string? kind = null, bool up = true, uint mtu = 1500, int? master = null, string? alias = "cpe:") =>
        new(index, name, kind, up, up, mtu, "02:00:00:00:00:" + index.ToString("x2"), master, alias, up ? "up" : "down", null);

    static VfInfo Vf(int n, string mac, ushort vlan = 0) => new(n, mac, vlan, 0, true, false, 0, 0, VfLinkState.Auto);

    /// <summary>The kernel exactly as LanBridge wants it.</summary>
    static KernelView Matching() => new()
    {
        Links = new[]
        {
            Link(2, "ge-0-0-0", mtu: 1492), Link(3, "ge-0-0-1", master: 9), Link(4, "ge-0-0-2", master: 9),
            Link(5, "sriov0"), Link(9, "br-lan", "bridge", alias: "cpe:office"),
        }.ToDictionary(l => l.Name),
        Addresses = new Dictionary<int, List<AddressInfo>>
        {
            [2] = [new(2, IPAddress.Parse("198.51.100.2"), 30, null), new(2, IPAddress.Parse("fe80::1"), 64, null)],
            [9] = [new(9, IPAddress.Parse("192.168.1.1"), 24, null)],
        },
        Vlans = new Dictionary<int, IReadOnlyList<PortVlan>>(),
        Pfs = new Dictionary<string, PfState> { ["sriov0"] = new(2, [Vf(0, "02:5f:00:00:00:00"), Vf(1, "02:00:00:00:00:11", 7)]) },
    };

    static List<string> Plan(JsonObject config, KernelView view)
    {
        var planner = new NetworkPlanner(DesiredNetwork.From(config, Board), new FakeNetworkKernel(), null, _ => null);
        var counts = planner.SriovCounts(view).ToList();
        // After a count change the reconciler reads the new VFs before planning their settings; a view written by hand has none.
        return counts.Concat(counts.Count > 0 ? [] : planner.VfSettings(view)).Concat(planner.Links(view))
            .Concat(planner.Vlans(view)).Concat(planner.Finish(view)).Select(s => $"{s.Target}: {s.Action}").ToList();
    }

    [Fact]
    public void A_kernel_that_matches_needs_no_step()
    {
        Assert.Empty(Plan(LanBridge, Matching()));
    }

    [Fact]
    public void Only_what_differs_is_changed_and_bridges_that_are_not_cpeds_are_left_alone()
    {
        var view = Matching();
        var links = view.Links.ToDictionary();
        links["ge-0-0-2"] = links["ge-0-0-2"] with { Master = null, Mtu = 9000 };
        links["br-old"] = Link(11, "br-old", "bridge", alias: "cpe:gone");
        links["br-theirs"] = Link(12, "br-theirs", "bridge", alias: null);
        var pfs = new Dictionary<string, PfState> { ["sriov0"] = new(2, [Vf(0, "02:5f:00:00:00:00"), Vf(1, "02:00:00:00:00:11", 8)]) };
        var plan = Plan(LanBridge, new KernelView { Links = links, Addresses = view.Addresses, Vlans = view.Vlans, Pfs = pfs });
        Assert.Equal([
            "sriov pf sriov0 vf 1: vlan 7 qos 0",
            "ge-0-0-2: mtu 1500",
            "ge-0-0-2: join bridge br-lan",
            "br-old: delete bridge",
        ], plan);
    }

    [Fact]
    public void From_a_bare_kernel_everything_is_made_in_a_safe_order()
    {
        var bare = new KernelView
        {
            Links = new[] { Link(2, "ge-0-0-0", up: false, alias: null), Link(3, "ge-0-0-1", up: false, alias: null), Link(4, "ge-0-0-2", up: false, alias: null), Link(5, "sriov0") }
                .ToDictionary(l => l.Name),
            Addresses = new Dictionary<int, List<AddressInfo>>(),
            Vlans = new Dictionary<int, IReadOnlyList<PortVlan>>(),
            Pfs = new Dictionary<string, PfState> { ["sriov0"] = new(0, []) },
        };
        var plan = Plan(LanBridge, bare);
        Assert.Equal("sriov pf sriov0: vf-count 0 to 2", plan[0]);
        Assert.True(plan.IndexOf("br-lan: create bridge") < plan.IndexOf("ge-0-0-1: join bridge br-lan"));
        Assert.True(plan.IndexOf("ge-0-0-1: join bridge br-lan") < plan.IndexOf("br-lan: add address 192.168.1.1/24"));
        Assert.True(plan.IndexOf("ge-0-0-0: add address 198.51.100.2/30") < plan.IndexOf("ge-0-0-0: up"));
        Assert.Equal("br-lan: up", plan[^1]);
        Assert.Contains("ge-0-0-0: alias 'cpe:'", plan);
    }

    [Fact]
    public void A_port_gets_exactly_its_pvid_and_tagged_vlans_on_a_filtering_bridge()
    {
        var config = Config("""{"bridges":{"bridge":[{"name":"lan","vlan-filtering":true,"interface":[{"name":"ge-0/0/1","pvid":10,"vlan":[20,30]}]}]}}""");
        var view = new KernelView
        {
            Links = new[] { Link(2, "ge-0-0-0"), Link(3, "ge-0-0-1", master: 9), Link(4, "ge-0-0-2"), Link(5, "sriov0"), Link(9, "br-lan", "bridge") with { VlanFiltering = true } }
                .ToDictionary(l => l.Name),
            Addresses = new Dictionary<int, List<AddressInfo>>(),
            Vlans = new Dictionary<int, IReadOnlyList<PortVlan>> { [3] = [new(1, true, true), new(30, false, false), new(40, false, false)] },
            Pfs = new Dictionary<string, PfState> { ["sriov0"] = new(0, []) },
        };
        Assert.Equal(["ge-0-0-1: vlan 10 pvid untagged", "ge-0-0-1: vlan 20 tagged", "ge-0-0-1: remove vlan 1", "ge-0-0-1: remove vlan 40"],
            Plan(config, view));
    }

    [Fact]
    public void An_unconfigured_port_wants_the_defaults_and_a_missing_one_is_skipped()
    {
        var want = DesiredNetwork.From(new JsonObject(), Board);
        var port = want.Ports.Single(p => p.Port.Name == "ge-0/0/2");
        Assert.Equal((true, 1500u, "cpe:", false, false), (port.AdminUp, port.Mtu, port.Alias, port.Dhcp, port.Configured));
        Assert.Equal(0, want.Pfs.Single().VfCount);

        var view = Matching();
        var links = view.Links.Where(l => l.Key != "ge-0-0-2").ToDictionary();
        var plan = Plan(new JsonObject(), new KernelView { Links = links, Addresses = new Dictionary<int, List<AddressInfo>>(), Vlans = view.Vlans, Pfs = view.Pfs });
        Assert.DoesNotContain(plan, s => s.StartsWith("ge-0-0-2", StringComparison.Ordinal));
    }
}
