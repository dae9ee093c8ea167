using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Network.Reconcile;
using Cpe.TestKit;

namespace Cpe.UnitTests.Network;

/// <summary>
/// The reconciler's undo paths on the fake kernel (no root): a step that fails takes back every change made before it,
/// newest first, including bridges it deleted; an undo that fails is reported while the others still run.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class NetworkReconcilerUndoTests
{
    static readonly NetworkProfile Board = new("sim",
        [new("ge-0/0/0", "ge-0-0-0", "wan"), new("ge-0/0/1", "ge-0-0-1"), new("ge-0/0/2", "ge-0-0-2"), new("ge-0/0/3", "ge-0-0-3")]);

    static JsonObject Config(string json) => JsonNode.Parse(json)!.AsObject();

    static readonly JsonObject TwoBridges = Config("""
        {"bridges":{"bridge":[
           {"name":"lan","description":"office","address":["192.168.1.1/24"],"interface":[{"name":"ge-0/0/1"},{"name":"ge-0/0/2"}]},
           {"name":"dmz","address":["203.0.113.1/29"],"interface":[{"name":"ge-0/0/3"}]}]},
         "interfaces":{"interface":[{"name":"ge-0/0/0","mtu":1492,"address":["198.51.100.2/30"]}]}}
        """);

    static readonly JsonObject NoBridges = Config("""
        {"interfaces":{"interface":[{"name":"ge-0/0/0","mtu":1400}]}}
        """);

    static (FakeNetworkKernel Kernel, NetworkReconciler Reconciler) Box()
    {
        var kernel = new FakeNetworkKernel();
        foreach (var port in Board.Ports) kernel.AddPort(port.Netdev);
        return (kernel, new NetworkReconciler(kernel, Board, sriov: null));
    }

    /// <summary>Every link by name (kind, state, MTU, master by name, alias, addresses): what an undo must restore, whatever indexes re-created links got.</summary>
    static List<string> State(FakeNetworkKernel kernel)
    {
        var (links, addresses, _) = kernel.Read(withVlans: false);
        var names = links.Values.ToDictionary(l => l.Index, l => l.Name);
        return [.. links.Values.OrderBy(l => l.Name, StringComparer.Ordinal).Select(l =>
            $"{l.Name} {l.Kind} up={l.AdminUp} mtu={l.Mtu} master={(l.Master is int m ? names[m] : "-")} alias={l.Alias} " +
            $"addresses={string.Join(",", (addresses.GetValueOrDefault(l.Index) ?? []).Select(a => $"{a.Address}/{a.PrefixLength}").Order(StringComparer.Ordinal))}")];
    }

    [Fact]
    public void A_failed_step_takes_back_every_change_made_before_it()
    {
        var (kernel, reconciler) = Box();
        var before = State(kernel);
        kernel.FailWhen = change => change == "add address br-lan";
        var e = Assert.Throws<NetworkReconcileException>(() => reconciler.Reconcile(TwoBridges));
        Assert.Equal("br-lan", e.Target);
        Assert.Empty(e.UndoFailures);
        Assert.Equal(before, State(kernel));
        // It had got as far as making both bridges and moving the ports in; the undo took them down again.
        Assert.Contains("create bridge br-dmz", kernel.Changes);
        Assert.Contains("delete br-dmz", kernel.Changes);
        Assert.Contains("master ge-0-0-3", kernel.Changes);
    }

    [Fact]
    public void Bridges_deleted_before_a_failure_come_back_with_their_ports_addresses_and_state()
    {
        var (kernel, reconciler) = Box();
        reconciler.Reconcile(TwoBridges);
        var configured = State(kernel);
        Assert.Contains(configured, l => l.StartsWith("br-lan bridge up=True", StringComparison.Ordinal) && l.EndsWith("addresses=192.168.1.1/24", StringComparison.Ordinal));
        int deletions = 0;
        kernel.FailWhen = change => change.StartsWith("delete br-", StringComparison.Ordinal) && ++deletions == 2;
        var e = Assert.Throws<NetworkReconcileException>(() => reconciler.Reconcile(NoBridges));
        Assert.Equal("delete bridge", e.Message.Split(": ")[1].Split(" failed")[0]);
        Assert.Equal(configured, State(kernel));
    }

    [Fact]
    public void An_undo_that_fails_is_reported_and_the_other_undos_still_run()
    {
        var (kernel, reconciler) = Box();
        var before = State(kernel);
        bool failed = false;
        kernel.FailWhen = change =>
        {
            if (change == "add address br-lan") return failed = true;
            return failed && change == "delete br-lan";   // the undo of its creation
        };
        var e = Assert.Throws<NetworkReconcileException>(() => reconciler.Reconcile(TwoBridges));
        Assert.Equal(["br-lan: undo of create bridge: fake failure of delete br-lan: Input/output error (errno 5)"], e.UndoFailures);
        Assert.Contains("and undoing failed too", e.Message);
        // Everything else is back: only the bridge that could not be deleted is left, without its ports.
        Assert.Equal(before, State(kernel).Where(l => !l.StartsWith("br-lan ", StringComparison.Ordinal)));
        Assert.Null(kernel.Link("br-dmz"));
    }

    [Fact]
    public void A_kernel_that_matches_is_left_alone_and_costs_no_write()
    {
        var (kernel, reconciler) = Box();
        Assert.NotEmpty(reconciler.Reconcile(TwoBridges).Applied);
        var again = reconciler.Reconcile(TwoBridges);
        Assert.Equal((0, 0L), (again.Applied.Count, again.NetlinkWrites));
    }
}
