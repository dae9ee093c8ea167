using Microsoft.Data.Sqlite;

namespace Cpe.Platform.State;

// Configuration revisions and the shared candidate.
public sealed partial class StateStore
{
    /// <summary>Stores a new revision (and the candidate, when given) in one transaction; prunes old ones.</summary>
    public Revision AddRevision(string document, string author, string source, string? comment, DateTimeOffset? confirmBy, string? candidate)
    {
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            var now = _clock.GetUtcNow();
            long id;
            using (var cmd = Command("INSERT INTO revisions (created_at, author, source, comment, document, confirm_by) VALUES ($t, $a, $s, $c, $d, $cb) RETURNING id",
                ("$t", Time(now)), ("$a", author), ("$s", source), ("$c", comment), ("$d", document), ("$cb", confirmBy is { } cb ? Time(cb) : null)))
            {
                cmd.Transaction = tx;
                id = (long)cmd.ExecuteScalar()!;
            }
            // Only the newest pending confirmation counts: a later commit confirms the earlier ones.
            using (var cmd = Command("UPDATE revisions SET confirm_by = NULL WHERE id < $id AND confirm_by IS NOT NULL", ("$id", id)))
            { cmd.Transaction = tx; cmd.ExecuteNonQuery(); }
            using (var cmd = Command("DELETE FROM revisions WHERE id NOT IN (SELECT id FROM revisions ORDER BY id DESC LIMIT $n)", ("$n", KeptRevisions)))
            { cmd.Transaction = tx; cmd.ExecuteNonQuery(); }
            if (candidate is not null) WriteCandidate(candidate, id, tx);
            tx.Commit();
            return new Revision(id, now, author, source, comment, document, confirmBy);
        }
    }

    void InsertRevision(Revision r)
    {
        lock (_gate)
        {
            using var cmd = Command("INSERT INTO revisions (id, created_at, author, source, comment, document, confirm_by) VALUES ($id, $t, $a, $s, $c, $d, NULL)",
                ("$id", r.Id), ("$t", Time(r.CreatedAt)), ("$a", r.Author), ("$s", r.Source), ("$c", r.Comment), ("$d", r.Document));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The active revision is the newest one; null on a box never configured.</summary>
    public Revision? Active() => Revisions(1).FirstOrDefault();

    /// <summary>Newest first: index 0 is the active revision, index N is "rollback N".</summary>
    public IReadOnlyList<Revision> Revisions(int max = KeptRevisions)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT id, created_at, author, source, comment, document, confirm_by FROM revisions ORDER BY id DESC LIMIT $n", ("$n", max));
            using var r = cmd.ExecuteReader();
            var list = new List<Revision>();
            while (r.Read()) list.Add(ReadRevision(r));
            return list;
        }
    }

    internal static Revision ReadRevision(SqliteDataReader r) => new(
        r.GetInt64(0), ParseTime(r.GetString(1)), r.GetString(2), r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5), r.IsDBNull(6) ? null : ParseTime(r.GetString(6)));

    /// <summary>Marks a pending confirmed commit as confirmed.</summary>
    public void ClearConfirmation(long revisionId)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE revisions SET confirm_by = NULL WHERE id = $id", ("$id", revisionId));
            cmd.ExecuteNonQuery();
        }
    }

    public CandidateRecord? Candidate()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT document, base_revision FROM candidate WHERE id = 1");
            using var r = cmd.ExecuteReader();
            return r.Read() ? new CandidateRecord(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1)) : null;
        }
    }

    public void SaveCandidate(string document, long baseRevision)
    {
        lock (_gate) WriteCandidate(document, baseRevision, null);
    }

    void WriteCandidate(string document, long baseRevision, SqliteTransaction? tx)
    {
        using var cmd = Command("INSERT INTO candidate (id, document, modified_at, base_revision) VALUES (1, $d, $t, $b) " +
            "ON CONFLICT (id) DO UPDATE SET document = $d, modified_at = $t, base_revision = $b",
            ("$d", document), ("$t", Time(_clock.GetUtcNow())), ("$b", baseRevision));
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// Records what zero-touch or the fleet just set (null: nothing they set is in force); an earlier override no
    /// longer counts against it.
    /// </summary>
    public void SetProvisioned(ProvisionedSet? set)
    {
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            using (var cmd = set is null ? Command("DELETE FROM provisioned") : Command("INSERT INTO provisioned (id, revision, source, author, time, statements) VALUES (1, $r, $s, $a, $t, $st) " +
                "ON CONFLICT (id) DO UPDATE SET revision = $r, source = $s, author = $a, time = $t, statements = $st",
                ("$r", set.Revision), ("$s", set.Source), ("$a", set.Author), ("$t", Time(set.Time)), ("$st", string.Join('\n', set.Statements))))
            { cmd.Transaction = tx; cmd.ExecuteNonQuery(); }
            using (var cmd = Command("DELETE FROM local_override"))
            { cmd.Transaction = tx; cmd.ExecuteNonQuery(); }
            tx.Commit();
        }
    }

    public ProvisionedSet? Provisioned()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT revision, source, author, time, statements FROM provisioned WHERE id = 1");
            using var r = cmd.ExecuteReader();
            return r.Read() ? new ProvisionedSet(r.GetInt64(0), r.GetString(1), r.GetString(2), ParseTime(r.GetString(3)), Lines(r.GetString(4))) : null;
        }
    }

    /// <summary>Records the local commit that overrides what was provisioned; null when none does any more.</summary>
    public void SetOverride(LocalOverride? o)
    {
        lock (_gate)
        {
            using var cmd = o is null ? Command("DELETE FROM local_override")
                : Command("INSERT INTO local_override (id, revision, author, time, statements) VALUES (1, $r, $a, $t, $st) " +
                    "ON CONFLICT (id) DO UPDATE SET revision = $r, author = $a, time = $t, statements = $st",
                    ("$r", o.Revision), ("$a", o.Author), ("$t", Time(o.Time)), ("$st", string.Join('\n', o.Statements)));
            cmd.ExecuteNonQuery();
        }
    }

    public LocalOverride? Override()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT revision, author, time, statements FROM local_override WHERE id = 1");
            using var r = cmd.ExecuteReader();
            return r.Read() ? new LocalOverride(r.GetInt64(0), r.GetString(1), ParseTime(r.GetString(2)), Lines(r.GetString(3))) : null;
        }
    }

    static string[] Lines(string text) => text.Length == 0 ? [] : text.Split('\n');
}
