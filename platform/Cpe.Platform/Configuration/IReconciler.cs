using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.Platform.Configuration;

/// <summary>
/// A subsystem that makes the box match a configuration. The engine calls every reconciler on each
/// commit, in registration order, and calls them again with the old tree if any one fails.
/// Implementations are idempotent: applying the same tree twice changes nothing the second time.
/// </summary>
public interface IReconciler
{
    /// <summary>Named in errors and events, e.g. "system".</summary>
    string Subsystem { get; }

    /// <param name="previous">What was applied before (null at start-up: the kernel's state is unknown).</param>
    /// <param name="next">What must be in force when the call returns.</param>
    Task ApplyAsync(JsonObject? previous, JsonObject next, CancellationToken ct);

    /// <summary>Rules the schema cannot state because they need the box (a port the board lacks); run by "commit check" and every commit.</summary>
    IReadOnlyList<ConfigError> Check(JsonObject next) => [];
}
