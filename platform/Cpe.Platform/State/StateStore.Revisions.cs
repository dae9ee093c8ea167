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
            if (candidate is not null) WriteCandidate(candidate, tx);
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

    public string? Candidate()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT document FROM candidate WHERE id = 1");
            return cmd.ExecuteScalar() as string;
        }
    }

    public void SaveCandidate(string document)
    {
        lock (_gate) WriteCandidate(document, null);
    }

    void WriteCandidate(string document, SqliteTransaction? tx)
    {
        using var cmd = Command("INSERT INTO candidate (id, document, modified_at) VALUES (1, $d, $t) ON CONFLICT (id) DO UPDATE SET document = $d, modified_at = $t",
            ("$d", document), ("$t", Time(_clock.GetUtcNow())));
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }
}
