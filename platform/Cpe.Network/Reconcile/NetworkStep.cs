using Cpe.Network;

namespace Cpe.Network.Reconcile;

/// <summary>One change to the kernel: what it touches (named in errors), what it does, and how to take it back.</summary>
public sealed record NetworkStep(string Target, string Action, Action Apply, Action? Undo);

/// <summary>A step failed; everything the reconcile had applied before it was undone.</summary>
public sealed class NetworkReconcileException(string target, string action, Exception inner, IReadOnlyList<string> undoFailures)
    : NetworkException($"{target}: {action} failed: {inner.Message}"
        + (undoFailures.Count == 0 ? "" : $" (and undoing failed too: {string.Join("; ", undoFailures)})"), inner)
{
    public string Target { get; } = target;
    public IReadOnlyList<string> UndoFailures { get; } = undoFailures;
}

/// <summary>Applies steps in order, keeping what to undo; a failing step undoes the rest, newest first.</summary>
public sealed class StepRunner
{
    readonly Stack<NetworkStep> _done = new();

    public int Applied { get; private set; }

    public void Run(IEnumerable<NetworkStep> steps)
    {
        foreach (var step in steps)
        {
            try { step.Apply(); }
            catch (Exception e)
            {
                throw new NetworkReconcileException(step.Target, step.Action, e, UndoAll());
            }
            _done.Push(step);
            Applied++;
        }
    }

    /// <summary>Takes back every applied step; what cannot be taken back is returned, not thrown, so the others still run.</summary>
    public IReadOnlyList<string> UndoAll()
    {
        var failures = new List<string>();
        while (_done.TryPop(out var step))
        {
            if (step.Undo is null) continue;
            try { step.Undo(); }
            catch (Exception e) { failures.Add($"{step.Target}: undo of {step.Action}: {e.Message}"); }
        }
        return failures;
    }
}
