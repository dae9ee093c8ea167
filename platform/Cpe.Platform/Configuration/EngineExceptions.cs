namespace Cpe.Platform.Configuration;

/// <summary>A subsystem refused the configuration; every subsystem was put back to the previous revision.</summary>
public sealed class CommitFailedException(string subsystem, string detail, Exception inner)
    : Exception($"commit failed in subsystem '{subsystem}': {detail}; every subsystem was rolled back to the previous revision", inner)
{
    public string Subsystem { get; } = subsystem;
}

/// <summary>Another session holds the exclusive configuration lock.</summary>
public sealed class ConfigLockedException(string message) : Exception(message);

/// <summary>The request needs configuration mode (the CLI's "configure").</summary>
public sealed class NotConfiguringException() : Exception("not in configuration mode: run 'configure' first");

/// <summary>The daemon is stopping and takes no new commits.</summary>
public sealed class ShuttingDownException() : Exception("cped is shutting down; the commit was not started");

/// <summary>A rollback number with no revision behind it.</summary>
public sealed class NoSuchRevisionException(int number, int available)
    : Exception($"rollback {number} does not exist: {available} revision(s) kept (0 to {available - 1})");

/// <summary>
/// A commit was made under the candidate (zero-touch, the fleet, an automatic rollback): committing the candidate as it
/// is would undo it unseen. "update" merges the candidate's changes onto it; "rollback 0" drops them.
/// </summary>
public sealed class ConfigModifiedException(string message) : Exception(message);
