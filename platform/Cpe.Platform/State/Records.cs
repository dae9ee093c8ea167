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

/// <summary>What zero-touch or a fleet push last set, as "set" statements, and in which revision.</summary>
public sealed record ProvisionedSet(long Revision, string Source, string Author, DateTimeOffset Time, string[] Statements);

/// <summary>A local commit that took away statements zero-touch or the fleet had set (reported at check-in).</summary>
public sealed record LocalOverride(long Revision, string Author, DateTimeOffset Time, string[] Statements);

/// <summary>The shared candidate and the revision it was started from (null: a store written before that was kept).</summary>
public sealed record CandidateRecord(string Document, long? BaseRevision);

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
