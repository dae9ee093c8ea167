namespace Cpe.Platform.State;

/// <summary>
/// The state store's schema, one numbered step per version; PRAGMA user_version records the
/// last step applied. Steps are only ever appended. See docs/reference/state-store.md.
/// </summary>
internal static class Migrations
{
    public static readonly string[] Steps =
    [
        // 1: configuration revisions, the shared candidate, alarms and the event log.
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            author TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('cli', 'ztp', 'fleet', 'api', 'system', 'recovery')),
            comment TEXT,
            document TEXT NOT NULL,
            confirm_by TEXT);
        CREATE TABLE candidate (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            document TEXT NOT NULL,
            modified_at TEXT NOT NULL);
        CREATE TABLE alarms (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            type TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor')),
            text TEXT NOT NULL,
            raised_at TEXT NOT NULL,
            cleared_at TEXT);
        CREATE INDEX alarms_active ON alarms (type) WHERE cleared_at IS NULL;
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            type TEXT NOT NULL,
            text TEXT NOT NULL);
        """,
        // 2: the revision the candidate was started from (a commit made under it is not undone unseen), the
        // statements zero-touch or the fleet last set, and the local commit that last overrode some of them.
        """
        ALTER TABLE candidate ADD COLUMN base_revision INTEGER;
        CREATE TABLE provisioned (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            revision INTEGER NOT NULL,
            source TEXT NOT NULL,
            author TEXT NOT NULL,
            time TEXT NOT NULL,
            statements TEXT NOT NULL);
        CREATE TABLE local_override (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            revision INTEGER NOT NULL,
            author TEXT NOT NULL,
            time TEXT NOT NULL,
            statements TEXT NOT NULL);
        """,
    ];
}
