using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.Platform.Configuration;

/// <summary>
/// A subsystem that makes the box match a configuration. On each commit the engine has every reconciler prepare the
/// validated tree once (its typed sections, and the rules the schema cannot state), then applies the prepared ones in
/// registration order, and if any one fails prepares and applies the old tree again. Implementations are idempotent:
/// applying the same tree twice changes nothing the second time.
/// </summary>
public interface IReconciler
{
    /// <summary>Named in errors and events, e.g. "system".</summary>
    string Subsystem { get; }

    /// <summary>
    /// Reads <paramref name="next"/>'s sections into what this subsystem applies, checking what needs the box (a port
    /// the board lacks); run by "commit check", every commit, every restore and at start.
    /// </summary>
    PreparedConfig Prepare(JsonObject next);
}

/// <summary>
/// A configuration as one subsystem prepared it: the rules it breaks, which refuse a commit, and how to put it in force,
/// if the subsystem can (a restore or the start applies what it can even where a rule is broken now).
/// </summary>
public sealed class PreparedConfig
{
    readonly Func<CancellationToken, Task> _apply;
    readonly Lazy<IReadOnlyList<ConfigError>> _errors;

    PreparedConfig(Func<IReadOnlyList<ConfigError>> errors, Func<CancellationToken, Task> apply) => (_errors, _apply) = (new(errors), apply);

    /// <summary>
    /// A configuration this subsystem applies by <paramref name="apply"/>; what <paramref name="check"/> finds (if
    /// anything) refuses a commit of it. The check runs only when <see cref="Errors"/> is read: a commit reads it, a
    /// restore or the start, which apply what they can, do not.
    /// </summary>
    public static PreparedConfig Ready(Func<CancellationToken, Task> apply, Func<IReadOnlyList<ConfigError>>? check = null) => new(check ?? (() => []), apply);

    /// <summary>A configuration this subsystem cannot apply: the reasons, and what applying it throws (<paramref name="reason"/>, or the errors).</summary>
    public static PreparedConfig Refused(IReadOnlyList<ConfigError> errors, Exception? reason = null) =>
        errors.Count > 0 ? new(() => errors, _ => throw reason ?? new ConfigException(errors)) : throw new ArgumentException("a refusal has reasons", nameof(errors));

    public IReadOnlyList<ConfigError> Errors => _errors.Value;

    /// <summary>Puts the configuration in force; what the subsystem prepared is used, not read again.</summary>
    public Task ApplyAsync(CancellationToken ct) => _apply(ct);
}
