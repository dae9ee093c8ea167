using Cpe.Network.Reconcile;

namespace Cpe.UnitTests.Network;

[Trait("Kind", "Unit")]
public sealed class StepRunnerTests
{
    [Fact]
    public void A_failing_step_undoes_the_applied_ones_newest_first_and_reports_undo_failures_without_stopping()
    {
        var log = new List<string>();
        NetworkStep Step(string name, bool fails = false, bool undoFails = false) => new(name, "change",
            () => { if (fails) throw new InvalidOperationException("refused"); log.Add("do " + name); },
            () => { if (undoFails) throw new InvalidOperationException("gone"); log.Add("undo " + name); });
        var runner = new StepRunner();
        var e = Assert.Throws<NetworkReconcileException>(() => runner.Run([Step("a"), Step("b", undoFails: true), Step("c"), Step("d", fails: true), Step("e")]));
        Assert.Equal(["do a", "do b", "do c", "undo c", "undo a"], log);
        Assert.Equal("d", e.Target);
        Assert.Equal(["b: undo of change: gone"], e.UndoFailures);
        Assert.Equal("d: change failed: refused (and undoing failed too: b: undo of change: gone)", e.Message);
    }
}
