namespace Cpe.Platform.State;

/// <summary>Where a configuration change came from.</summary>
public static class ConfigSources
{
    public const string Cli = "cli", Ztp = "ztp", Fleet = "fleet", Api = "api";
    /// <summary>The box itself, e.g. the automatic rollback of an unconfirmed commit.</summary>
    public const string System = "system";
    /// <summary>Restored from a corrupt store at start.</summary>
    public const string Recovery = "recovery";
}

public sealed record Revision(long Id, DateTimeOffset CreatedAt, string Author, string Source, string? Comment,
    string Document, DateTimeOffset? ConfirmBy);

public sealed record AlarmRecord(long Id, string Type, string Severity, string Text, DateTimeOffset RaisedAt);

public sealed record EventRecord(long Id, DateTimeOffset Time, string Type, string Text);

/// <summary>What start-up found when the database was unreadable, and what it did about it.</summary>
public sealed record StoreRecovery(string Problem, string MovedTo, long? RestoredRevision, string RestoredFrom);

/// <summary>
/// Start-up found the database at a schema newer than this firmware's (the box fell back from newer firmware): it set
/// that database aside, went on from the copy kept before the newer firmware migrated (or from nothing, if there is
/// none), and carried over the newest configuration revision this firmware can read.
/// </summary>
public sealed record SchemaFallback(long FoundSchema, long KnownSchema, string MovedTo, bool FromCopy, long? CarriedRevision);
