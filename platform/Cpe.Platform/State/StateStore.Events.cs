namespace Cpe.Platform.State;

// Alarms and the event log: both bounded, so a flapping condition cannot fill the disk.
public sealed partial class StateStore
{
    /// <summary>Raises an alarm of a type unless one of that type is already active; returns the active one.</summary>
    public (AlarmRecord Alarm, bool IsNew) RaiseAlarm(string type, string severity, string text)
    {
        lock (_gate)
        {
            using (var find = Command("SELECT id, type, severity, text, raised_at FROM alarms WHERE type = $t AND cleared_at IS NULL", ("$t", type)))
            using (var r = find.ExecuteReader())
                if (r.Read())
                    return (new AlarmRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseTime(r.GetString(4))), false);
            var now = _clock.GetUtcNow();
            using var cmd = Command("INSERT INTO alarms (type, severity, text, raised_at) VALUES ($t, $s, $x, $n) RETURNING id",
                ("$t", type), ("$s", severity), ("$x", text), ("$n", Time(now)));
            long id = (long)cmd.ExecuteScalar()!;
            return (new AlarmRecord(id, type, severity, text, now), true);
        }
    }

    /// <summary>Clears the active alarm of a type; false when none was active.</summary>
    public bool ClearAlarm(string type)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE alarms SET cleared_at = $n WHERE type = $t AND cleared_at IS NULL", ("$n", Time(_clock.GetUtcNow())), ("$t", type));
            bool cleared = cmd.ExecuteNonQuery() > 0;
            using var prune = Command("DELETE FROM alarms WHERE cleared_at IS NOT NULL AND id NOT IN (SELECT id FROM alarms WHERE cleared_at IS NOT NULL ORDER BY id DESC LIMIT $k)",
                ("$k", KeptClearedAlarms));
            prune.ExecuteNonQuery();
            return cleared;
        }
    }

    public IReadOnlyList<AlarmRecord> ActiveAlarms()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT id, type, severity, text, raised_at FROM alarms WHERE cleared_at IS NULL ORDER BY id");
            using var r = cmd.ExecuteReader();
            var list = new List<AlarmRecord>();
            while (r.Read()) list.Add(new AlarmRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseTime(r.GetString(4))));
            return list;
        }
    }

    public EventRecord AddEvent(string type, string text)
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            using var cmd = Command("INSERT INTO events (time, type, text) VALUES ($n, $t, $x) RETURNING id", ("$n", Time(now)), ("$t", type), ("$x", text));
            long id = (long)cmd.ExecuteScalar()!;
            if (id % 100 == 0)
            {
                using var prune = Command("DELETE FROM events WHERE id <= $cut", ("$cut", id - KeptEvents));
                prune.ExecuteNonQuery();
            }
            return new EventRecord(id, now, type, text);
        }
    }

    /// <summary>The newest <paramref name="count"/> events, oldest first.</summary>
    public IReadOnlyList<EventRecord> RecentEvents(int count)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT id, time, type, text FROM (SELECT * FROM events ORDER BY id DESC LIMIT $n) ORDER BY id", ("$n", count));
            using var r = cmd.ExecuteReader();
            var list = new List<EventRecord>();
            while (r.Read()) list.Add(new EventRecord(r.GetInt64(0), ParseTime(r.GetString(1)), r.GetString(2), r.GetString(3)));
            return list;
        }
    }
}
