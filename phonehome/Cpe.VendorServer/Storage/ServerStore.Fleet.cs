namespace Cpe.VendorServer.Storage;

// Desired configurations, firmware images and their downloads, admin tokens.
public sealed partial class ServerStore
{
    /// <summary>
    /// Sets the configuration for a target. Its revision is the next of one fleet-wide sequence, which is what devices
    /// compare: a device's own push after its group's (or the other way round) is always newer than what it runs.
    /// </summary>
    public FleetConfig SetFleetConfig(string target, string handling, string document, string? firmware, string? vnfs, DateTimeOffset now)
    {
        long revision = InTransaction(tx =>
        {
            long next = NextRevision(tx);
            tx.Execute("""
                INSERT INTO fleet_configs (target, revision, handling, document, firmware, vnfs, updated_at) VALUES (@t, @r, @h, @d, @f, @v, @u)
                ON CONFLICT (target) DO UPDATE SET revision = excluded.revision, handling = excluded.handling, document = excluded.document,
                    firmware = excluded.firmware, vnfs = excluded.vnfs, updated_at = excluded.updated_at
                """, ("@t", target), ("@r", next), ("@h", handling), ("@d", document), ("@f", firmware), ("@v", vnfs), ("@u", Time(now)));
            return next;
        });
        return new FleetConfig(target, revision, handling, document, now, firmware, vnfs);
    }

    /// <summary>
    /// The next of the one fleet-wide sequence of configuration revisions that fleet configurations and deployments
    /// (and their rollbacks) share: a row lock serializes it across server instances.
    /// </summary>
    static long NextRevision(Transaction tx) =>
        tx.Query("UPDATE counters SET value = value + 1 WHERE id = 1 RETURNING value", r => Long(r, 0))[0];

    /// <summary>
    /// Numbers for <paramref name="count"/> device changes (enrolment facts: state, group, site, labels), the last one
    /// returned: what lets each instance's snapshot read only the devices changed since its last read.
    /// </summary>
    static long NextDeviceChanges(Transaction tx, int count) =>
        tx.Query("UPDATE counters SET value = value + @n WHERE id = 2 RETURNING value", r => Long(r, 0), ("@n", count))[0];

    /// <summary>
    /// What a check-in needs in one round trip: the device's enrolment facts and the configuration it should have (its
    /// own, else its group's); null when the serial number is not enrolled.
    /// </summary>
    public (DeviceFacts Device, FleetConfig? Config)? CheckInView(string serial)
    {
        var rows = Query("""
            SELECT d.state, d.device_group, d.site, d.labels, f.target, f.revision, f.handling, f.document, f.updated_at, f.firmware, f.vnfs
            FROM devices d LEFT JOIN fleet_configs f ON f.target = 'serial:' || d.serial OR f.target = 'group:' || d.device_group
            WHERE d.serial = @s
            ORDER BY CASE WHEN f.target = 'serial:' || d.serial THEN 0 ELSE 1 END LIMIT 1
            """, r => (new DeviceFacts(r.GetString(0), OptionalString(r, 1), OptionalString(r, 2), LabelsOf(OptionalString(r, 3))), r.IsDBNull(4) ? null
                : new FleetConfig(r.GetString(4), Long(r, 5), r.GetString(6), r.GetString(7), Time(r, 8), OptionalString(r, 9), OptionalString(r, 10))),
            ("@s", serial));
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>
    /// The devices whose enrolment facts changed after change number <paramref name="since"/> (0: every device), and
    /// the highest change number read. Changes are numbered in their transactions, which may commit out of order
    /// on PostgreSQL, so callers read again from a little before the highest they saw.
    /// </summary>
    public (List<(string Serial, DeviceFacts Facts)> Devices, long Last) DeviceFactsSince(long since)
    {
        long last = since;
        var list = Query("SELECT serial, state, device_group, site, labels, change_seq FROM devices WHERE change_seq > @since", r =>
        {
            last = Math.Max(last, Long(r, 5));
            return (r.GetString(0), new DeviceFacts(string.Intern(r.GetString(1)), Shared(OptionalString(r, 2)), Shared(OptionalString(r, 3)), LabelsOf(OptionalString(r, 4))));
        }, ("@since", since));
        return (list, last);
    }

    /// <summary>Groups and sites repeat across a million devices: one string each.</summary>
    static string? Shared(string? s) => s is null ? null : string.Intern(s);

    const string FleetColumns = "target, revision, handling, document, updated_at, firmware, vnfs";

    static FleetConfig FleetRow(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), Long(r, 1), r.GetString(2), r.GetString(3), Time(r, 4), OptionalString(r, 5), OptionalString(r, 6));

    /// <summary>Every fleet configuration by target.</summary>
    public Dictionary<string, FleetConfig> FleetConfigs() =>
        Query($"SELECT {FleetColumns} FROM fleet_configs", FleetRow).ToDictionary(c => c.Target, StringComparer.Ordinal);

    /// <summary>The fleet configuration for one target (serial:S or group:G), or null.</summary>
    public FleetConfig? FleetConfig(string target) =>
        Query($"SELECT {FleetColumns} FROM fleet_configs WHERE target = @t", FleetRow, ("@t", target)).SingleOrDefault();

    public void AddImage(FirmwareImage i) => Execute("""
        INSERT INTO images (name, os_name, os_version, sha256, size, uploaded_at) VALUES (@n, @o, @v, @h, @s, @t)
        ON CONFLICT (name) DO UPDATE SET os_name = excluded.os_name, os_version = excluded.os_version, sha256 = excluded.sha256, size = excluded.size, uploaded_at = excluded.uploaded_at
        """, ("@n", i.Name), ("@o", i.OsName), ("@v", i.OsVersion), ("@h", i.Sha256), ("@s", i.Size), ("@t", Time(i.UploadedAt)));

    const string ImageColumns = "name, os_name, os_version, sha256, size, uploaded_at";

    public IReadOnlyList<FirmwareImage> Images() => Query($"SELECT {ImageColumns} FROM images ORDER BY name", ImageRow);

    public FirmwareImage? Image(string name) => Query($"SELECT {ImageColumns} FROM images WHERE name = @n", ImageRow, ("@n", name)).SingleOrDefault();

    static FirmwareImage ImageRow(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Long(r, 4), Time(r, 5));

    /// <summary>Records a package; false when this name and version already hold other content (they never change).</summary>
    public bool AddVnfPackage(VnfPackageFile p) => Execute("""
        INSERT INTO vnf_packages (name, version, sha256, size, signer, uploaded_at) VALUES (@n, @v, @h, @s, @g, @t)
        ON CONFLICT (name, version) DO NOTHING
        """, ("@n", p.Name), ("@v", p.Version), ("@h", p.Sha256), ("@s", p.Size), ("@g", p.Signer), ("@t", Time(p.UploadedAt))) == 1
        || VnfPackage(p.Name, p.Version)?.Sha256 == p.Sha256;

    const string VnfPackageColumns = "name, version, sha256, size, signer, uploaded_at";

    public IReadOnlyList<VnfPackageFile> VnfPackages() => Query($"SELECT {VnfPackageColumns} FROM vnf_packages ORDER BY name, version", VnfPackageRow);

    public VnfPackageFile? VnfPackage(string name, string version) =>
        Query($"SELECT {VnfPackageColumns} FROM vnf_packages WHERE name = @n AND version = @v", VnfPackageRow, ("@n", name), ("@v", version)).SingleOrDefault();

    public bool DeleteVnfPackage(string name, string version) =>
        Execute("DELETE FROM vnf_packages WHERE name = @n AND version = @v", ("@n", name), ("@v", version)) == 1;

    static VnfPackageFile VnfPackageRow(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), Long(r, 3), r.GetString(4), Time(r, 5));

    public void AddDownload(DownloadEntry d) =>
        Execute("INSERT INTO downloads (serial, image, range_header, status, time) VALUES (@s, @i, @r, @st, @t)",
            ("@s", d.Serial), ("@i", d.Image), ("@r", d.Range), ("@st", d.Status), ("@t", Time(d.Time)));

    public IReadOnlyList<DownloadEntry> Downloads(string image) =>
        Query("SELECT time, serial, range_header, status FROM downloads WHERE image = @i ORDER BY id",
            r => new DownloadEntry(Time(r, 0), r.GetString(1), image, OptionalString(r, 2), (int)Long(r, 3)), ("@i", image));

    public void AddToken(string hash, string name, string role, DateTimeOffset now) =>
        Execute("INSERT INTO tokens (hash, name, role, created_at) VALUES (@h, @n, @r, @t)", ("@h", hash), ("@n", name), ("@r", role), ("@t", Time(now)));

    /// <summary>The token with this hash, unless it was revoked.</summary>
    public TokenRecord? FindToken(string hash) =>
        Query("SELECT name, role, created_at FROM tokens WHERE hash = @h AND revoked_at IS NULL", r => new TokenRecord(r.GetString(0), r.GetString(1), Time(r, 2)),
            ("@h", hash)).SingleOrDefault();

    public IReadOnlyList<TokenRecord> TokenList() =>
        Query("SELECT name, role, created_at, revoked_at FROM tokens ORDER BY created_at", r => new TokenRecord(r.GetString(0), r.GetString(1), Time(r, 2), OptionalTime(r, 3)));

    /// <summary>Revokes every token with this name; returns how many were live.</summary>
    public int RevokeTokens(string name, DateTimeOffset now) =>
        Execute("UPDATE tokens SET revoked_at = @t WHERE name = @n AND revoked_at IS NULL", ("@n", name), ("@t", Time(now)));

    public void AddAudit(AuditEntry a) => Execute(
        "INSERT INTO audit (time, actor, role, action, target, detail, source, status) VALUES (@t, @a, @r, @ac, @tg, @d, @s, @st)",
        ("@t", Time(a.Time)), ("@a", a.Actor), ("@r", a.Role), ("@ac", a.Action), ("@tg", a.Target), ("@d", a.Detail), ("@s", a.Source), ("@st", a.Status));

    /// <summary>The audit log newest first, before id <paramref name="before"/> (paging), optionally one action.</summary>
    public IReadOnlyList<AuditEntry> Audit(long? before, string? action, int limit) =>
        Query("SELECT id, time, actor, role, action, target, detail, source, status FROM audit WHERE (CAST(@b AS BIGINT) IS NULL OR id < @b) AND (CAST(@a AS TEXT) IS NULL OR action = @a) ORDER BY id DESC LIMIT @n",
            r => new AuditEntry(Long(r, 0), Time(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), OptionalString(r, 5), OptionalString(r, 6), OptionalString(r, 7), (int)Long(r, 8)),
            ("@b", before), ("@a", action), ("@n", limit));

    public void AddBundle(Bundle b) => Execute("""
        INSERT INTO bundles (name, conveyed, owner_certificate, published_at) VALUES (@n, @c, @o, @t)
        ON CONFLICT (name) DO UPDATE SET conveyed = excluded.conveyed, owner_certificate = excluded.owner_certificate, published_at = excluded.published_at
        """, ("@n", b.Name), ("@c", b.ConveyedInformation), ("@o", b.OwnerCertificate), ("@t", Time(b.PublishedAt)));

    /// <summary>Every published bundle, by name.</summary>
    public IReadOnlyList<Bundle> Bundles() =>
        Query("SELECT name, conveyed, owner_certificate, published_at FROM bundles ORDER BY name",
            r => new Bundle(r.GetString(0), (byte[])r.GetValue(1), (byte[])r.GetValue(2), Time(r, 3)));

    public Bundle? FindBundle(string name) =>
        Query("SELECT conveyed, owner_certificate, published_at FROM bundles WHERE name = @n",
            r => new Bundle(name, (byte[])r.GetValue(0), (byte[])r.GetValue(1), Time(r, 2)), ("@n", name)).SingleOrDefault();
}
