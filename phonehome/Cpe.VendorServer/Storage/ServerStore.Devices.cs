namespace Cpe.VendorServer.Storage;

// Devices, their progress reports and their check-ins.
public sealed partial class ServerStore
{
    const string DeviceColumns = "serial, conveyed, owner_certificate, voucher, enrolled_at, owner, device_group, state, last_seen, site, labels";

    const string Upsert = $"""
        INSERT INTO devices ({DeviceColumns}, change_seq) VALUES (@s, @c, @o, @v, @t, @owner, @g, @state, NULL, @site, @labels, @seq)
        ON CONFLICT (serial) DO UPDATE SET conveyed = excluded.conveyed, owner_certificate = excluded.owner_certificate, voucher = excluded.voucher,
            owner = excluded.owner, device_group = excluded.device_group, state = excluded.state, site = excluded.site, labels = excluded.labels,
            change_seq = excluded.change_seq
        """;

    static (string, object?)[] Parameters(Enrollment e) =>
        [("@s", e.Serial), ("@c", e.ConveyedInformation), ("@o", e.OwnerCertificate), ("@v", e.OwnershipVoucher), ("@t", Time(e.EnrolledAt)),
         ("@owner", e.Owner), ("@g", e.Group), ("@state", e.State), ("@site", e.Site), ("@labels", LabelsColumn(e.Labels))];

    /// <summary>Labels as stored: ",a,b," so that one label matches as LIKE '%,a,%'; null when there are none.</summary>
    static string? LabelsColumn(string[] labels) => labels.Length == 0 ? null : "," + string.Join(',', labels) + ",";

    static string[] LabelsOf(string? column) => column?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];

    public void Enroll(Enrollment e) => EnrollMany([e]);

    /// <summary>
    /// A manufacturing batch in one transaction. PostgreSQL takes it as arrays in one statement (one round trip for
    /// thousands of devices); SQLite runs in-process, where a prepared statement per row is as cheap.
    /// </summary>
    public void EnrollMany(IEnumerable<Enrollment> batch) => InTransaction(tx =>
    {
        var all = batch.ToArray();
        if (all.Length == 0) return 0;
        long last = NextDeviceChanges(tx, all.Length), first = last - all.Length + 1;
        if (tx.IsPostgres)
        {
            tx.Execute($"""
                INSERT INTO devices ({DeviceColumns}, change_seq) SELECT s, c, o, v, t, ow, g, st, NULL, si, l, q
                FROM unnest(@s, @c, @o, @v, @t, @owner, @g, @state, @site, @labels, @seq) AS x(s, c, o, v, t, ow, g, st, si, l, q)
                ON CONFLICT (serial) DO UPDATE SET conveyed = excluded.conveyed, owner_certificate = excluded.owner_certificate, voucher = excluded.voucher,
                    owner = excluded.owner, device_group = excluded.device_group, state = excluded.state, site = excluded.site, labels = excluded.labels,
                    change_seq = excluded.change_seq
                """, ("@s", all.Select(e => e.Serial).ToArray()), ("@c", all.Select(e => e.ConveyedInformation).ToArray()),
                ("@o", all.Select(e => e.OwnerCertificate).ToArray()), ("@v", all.Select(e => e.OwnershipVoucher).ToArray()),
                ("@t", all.Select(e => Time(e.EnrolledAt)).ToArray()), ("@owner", all.Select(e => e.Owner).ToArray()), ("@g", all.Select(e => e.Group).ToArray()),
                ("@state", all.Select(e => e.State).ToArray()), ("@site", all.Select(e => e.Site).ToArray()), ("@labels", all.Select(e => LabelsColumn(e.Labels)).ToArray()),
                ("@seq", Enumerable.Range(0, all.Length).Select(i => first + i).ToArray()));
        }
        else
            for (int i = 0; i < all.Length; i++) tx.Execute(Upsert, [.. Parameters(all[i]), ("@seq", first + i)]);
        return all.Length;
    });

    public Enrollment? Find(string serial) =>
        Query($"SELECT {DeviceColumns} FROM devices WHERE serial = @s", Device, ("@s", serial)).SingleOrDefault();

    public IReadOnlyList<Enrollment> Devices(string? group = null, int limit = 1000, string? after = null) =>
        Query($"SELECT {DeviceColumns} FROM devices WHERE (CAST(@g AS TEXT) IS NULL OR device_group = @g) AND (CAST(@a AS TEXT) IS NULL OR serial > @a) ORDER BY serial LIMIT @n",
            Device, ("@g", group), ("@a", after), ("@n", limit));

    /// <summary>
    /// A page of devices (by serial, after <paramref name="after"/>) with their last progress report and last check-in:
    /// each found through its own table's (serial, id) index, so a page costs the same however large the fleet. A
    /// prefix is a range of the primary key (and a LIKE, for collations that sort otherwise), never a scan.
    /// </summary>
    public IReadOnlyList<DeviceSummary> DeviceSummaries(DeviceFilter f, string? after, int limit) =>
        Query($"""
            SELECT {string.Join(", ", DeviceColumns.Split(", ").Select(c => "d." + c))}, p.type, p.time, c.time, c.os_version, c.config_revision, c.fleet_revision, c.last_result, d.alarms
            FROM devices d
            LEFT JOIN progress p ON p.id = (SELECT MAX(id) FROM progress WHERE serial = d.serial)
            LEFT JOIN checkins c ON c.id = (SELECT MAX(id) FROM checkins WHERE serial = d.serial)
            WHERE (CAST(@g AS TEXT) IS NULL OR d.device_group = @g) AND (CAST(@st AS TEXT) IS NULL OR d.state = @st)
              AND (CAST(@site AS TEXT) IS NULL OR d.site = @site) AND (CAST(@v AS TEXT) IS NULL OR d.os_version = @v)
              AND (CAST(@q AS TEXT) IS NULL OR (d.serial >= @q AND d.serial < @qend AND d.serial LIKE @qlike ESCAPE '!'))
              AND (CAST(@a AS TEXT) IS NULL OR d.serial > @a)
            ORDER BY d.serial LIMIT @n
            """,
            r => new DeviceSummary(Device(r), OptionalString(r, 11), OptionalTime(r, 12),
                r.IsDBNull(13) ? null : new CheckInEntry(Time(r, 13), r.GetString(0), r.GetString(14), Long(r, 15), Long(r, 16), OptionalString(r, 17)))
            { Alarms = OptionalString(r, 18) },
            ("@g", f.Group), ("@st", f.State), ("@site", f.Site), ("@v", f.Version), ("@q", f.Prefix),
            ("@qend", f.Prefix is { Length: > 0 } q ? q[..^1] + (char)(q[^1] + 1) : null),
            ("@qlike", f.Prefix is null ? null : f.Prefix.Replace("!", "!!").Replace("%", "!%").Replace("_", "!_") + "%"),
            ("@a", after), ("@n", limit));

    /// <summary>The dashboard's counts: one pass over the devices table (the caller caches it for a few seconds).</summary>
    public FleetCounts Counts(DateTimeOffset onlineSince)
    {
        var totals = Query("""
            SELECT COALESCE(SUM(CASE WHEN state = 'enrolled' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN state = 'revoked' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN last_seen >= @since THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN last_seen < @since THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN last_seen IS NULL THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN alarms LIKE 'major %' OR alarms LIKE 'critical %' OR alarms LIKE '%' || @nl || 'major %' OR alarms LIKE '%' || @nl || 'critical %' THEN 1 ELSE 0 END), 0)
            FROM devices
            """, r => (Long(r, 0), Long(r, 1), Long(r, 2), Long(r, 3), Long(r, 4), Long(r, 5)), ("@since", Time(onlineSince)), ("@nl", "\n")).Single();
        var versions = Query("SELECT os_version, COUNT(*) FROM devices GROUP BY os_version ORDER BY COUNT(*) DESC LIMIT 20",
            r => (OptionalString(r, 0), Long(r, 1)));
        return new FleetCounts(totals.Item1, totals.Item2, totals.Item3, totals.Item4, totals.Item5, totals.Item6, versions);
    }

    public bool Remove(string serial) => Execute("DELETE FROM devices WHERE serial = @s", ("@s", serial)) > 0;

    public bool SetState(string serial, string state) => InTransaction(tx =>
        tx.Execute("UPDATE devices SET state = @st, change_seq = @seq WHERE serial = @s", ("@s", serial), ("@st", state), ("@seq", NextDeviceChanges(tx, 1))) > 0);

    static Enrollment Device(System.Data.Common.DbDataReader r) => new(r.GetString(0), (byte[])r.GetValue(1), OptionalBytes(r, 2), OptionalBytes(r, 3),
        Time(r, 4), OptionalString(r, 5), OptionalString(r, 6), r.GetString(7), OptionalTime(r, 8))
    { Site = OptionalString(r, 9), Labels = LabelsOf(OptionalString(r, 10)) };

    public void AddProgress(ProgressEntry p) =>
        Execute("INSERT INTO progress (serial, time, type, message) VALUES (@s, @t, @y, @m)",
            ("@s", p.Serial), ("@t", Time(p.Time)), ("@y", p.ProgressType), ("@m", p.Message));

    public IReadOnlyList<ProgressEntry> Progress(string serial) =>
        Query("SELECT time, type, message FROM progress WHERE serial = @s ORDER BY id",
            r => new ProgressEntry(Time(r, 0), serial, r.GetString(1), OptionalString(r, 2)), ("@s", serial));

    public void AddCheckIn(CheckInEntry e) => AddCheckIns([e]);

    /// <summary>
    /// Records check-ins and the devices' last-seen times (the latest of the batch per device), all in one
    /// transaction. PostgreSQL takes the whole batch as arrays in two statements: two round trips, not two per
    /// check-in. SQLite runs in-process, where a prepared statement per row is as cheap.
    /// </summary>
    public void AddCheckIns(IReadOnlyList<CheckInEntry> entries)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        var lastSeen = entries.GroupBy(e => e.Serial).Select(g => g.MaxBy(e => e.Time)!)
            .Select(e => (Serial: e.Serial, Time: Time(e.Time), e.OsVersion, e.Model, e.Alarms)).ToArray();
        if (IsPostgres)
        {
            using (var insert = Command(c, "INSERT INTO checkins (serial, time, os_version, config_revision, fleet_revision, last_result, refused, firmware_failure, local_override, software, vnfs, vnf_failures) SELECT * FROM unnest(@s, @t, @o, @c, @f, @l, @r, @ff, @lo, @sw, @vn, @vf)",
                ("@s", entries.Select(e => e.Serial).ToArray()), ("@t", entries.Select(e => Time(e.Time)).ToArray()), ("@o", entries.Select(e => e.OsVersion).ToArray()),
                ("@c", entries.Select(e => e.ConfigRevision).ToArray()), ("@f", entries.Select(e => e.FleetRevision).ToArray()), ("@l", entries.Select(e => e.LastResult).ToArray()),
                ("@r", entries.Select(e => e.Refused).ToArray()), ("@ff", entries.Select(e => e.FirmwareFailure).ToArray()),
                ("@lo", entries.Select(e => e.LocalOverride).ToArray()), ("@sw", entries.Select(e => e.Software).ToArray()),
                ("@vn", entries.Select(e => e.Vnfs).ToArray()), ("@vf", entries.Select(e => e.VnfFailures).ToArray())))
            { insert.Transaction = tx; insert.ExecuteNonQuery(); }
            using (var seen = Command(c, "UPDATE devices SET last_seen = v.t, os_version = v.o, model = COALESCE(v.m, devices.model), alarms = v.a FROM unnest(@s, @t, @o, @m, @al) AS v(s, t, o, m, a) WHERE devices.serial = v.s",
                ("@s", lastSeen.Select(d => d.Serial).ToArray()), ("@t", lastSeen.Select(d => d.Time).ToArray()), ("@o", lastSeen.Select(d => d.OsVersion).ToArray()),
                ("@m", lastSeen.Select(d => d.Model).ToArray()), ("@al", lastSeen.Select(d => d.Alarms).ToArray())))
            { seen.Transaction = tx; seen.ExecuteNonQuery(); }
        }
        else
        {
            foreach (var e in entries)
                using (var insert = Command(c, "INSERT INTO checkins (serial, time, os_version, config_revision, fleet_revision, last_result, refused, firmware_failure, local_override, software, vnfs, vnf_failures) VALUES (@s, @t, @o, @c, @f, @l, @r, @ff, @lo, @sw, @vn, @vf)",
                    ("@s", e.Serial), ("@t", Time(e.Time)), ("@o", e.OsVersion), ("@c", e.ConfigRevision), ("@f", e.FleetRevision), ("@l", e.LastResult), ("@r", e.Refused),
                    ("@ff", e.FirmwareFailure), ("@lo", e.LocalOverride), ("@sw", e.Software), ("@vn", e.Vnfs), ("@vf", e.VnfFailures)))
                { insert.Transaction = tx; insert.ExecuteNonQuery(); }
            foreach (var (serial, time, osVersion, model, alarms) in lastSeen)
                using (var seen = Command(c, "UPDATE devices SET last_seen = @t, os_version = @o, model = COALESCE(@m, model), alarms = @al WHERE serial = @s",
                    ("@s", serial), ("@t", time), ("@o", osVersion), ("@m", model), ("@al", alarms)))
                { seen.Transaction = tx; seen.ExecuteNonQuery(); }
        }
        // Inventories come rarely (a device sends one when its hardware changed): one statement each is enough.
        foreach (var e in entries.Where(e => e.Inventory is not null).GroupBy(e => e.Serial).Select(g => g.MaxBy(e => e.Time)!))
            using (var inventory = Command(c, "UPDATE devices SET inventory = @i WHERE serial = @s", ("@s", e.Serial), ("@i", e.Inventory)))
            { inventory.Transaction = tx; inventory.ExecuteNonQuery(); }
        tx.Commit();
    }

    /// <summary>The device's latest hardware inventory (JSON), or null when it has sent none.</summary>
    public string? Inventory(string serial) =>
        Query("SELECT inventory FROM devices WHERE serial = @s", r => OptionalString(r, 0), ("@s", serial)).FirstOrDefault();

    public IReadOnlyList<CheckInEntry> CheckIns(string serial, int limit = 100) =>
        Query("SELECT time, os_version, config_revision, fleet_revision, last_result, refused, firmware_failure, local_override, software, vnfs, vnf_failures FROM checkins WHERE serial = @s ORDER BY id DESC LIMIT @n",
            r => new CheckInEntry(Time(r, 0), serial, r.GetString(1), Long(r, 2), Long(r, 3), OptionalString(r, 4))
            {
                Refused = OptionalString(r, 5), FirmwareFailure = OptionalString(r, 6), LocalOverride = OptionalString(r, 7), Software = OptionalString(r, 8),
                Vnfs = OptionalString(r, 9), VnfFailures = OptionalString(r, 10)
            },
            ("@s", serial), ("@n", limit));
}
