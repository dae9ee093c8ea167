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
        var rows = Query("""
            INSERT INTO fleet_configs (target, revision, handling, document, firmware, vnfs, updated_at)
            VALUES (@t, (SELECT COALESCE(MAX(revision), 0) + 1 FROM fleet_configs), @h, @d, @f, @v, @u)
            ON CONFLICT (target) DO UPDATE SET revision = (SELECT COALESCE(MAX(revision), 0) + 1 FROM fleet_configs), handling = excluded.handling, document = excluded.document,
                firmware = excluded.firmware, vnfs = excluded.vnfs, updated_at = excluded.updated_at
            RETURNING revision
            """, r => Long(r, 0), ("@t", target), ("@h", handling), ("@d", document), ("@f", firmware), ("@v", vnfs), ("@u", Time(now)));
        return new FleetConfig(target, rows[0], handling, document, now, firmware, vnfs);
    }

    /// <summary>
    /// What a check-in needs in one round trip: the device's state and the configuration it should have (its own,
    /// else its group's); null when the serial number is not enrolled.
    /// </summary>
    public (string State, FleetConfig? Config)? CheckInView(string serial)
    {
        var rows = Query("""
            SELECT d.state, f.target, f.revision, f.handling, f.document, f.updated_at, f.firmware, f.vnfs
            FROM devices d LEFT JOIN fleet_configs f ON f.target = 'serial:' || d.serial OR f.target = 'group:' || d.device_group
            WHERE d.serial = @s
            ORDER BY CASE WHEN f.target = 'serial:' || d.serial THEN 0 ELSE 1 END LIMIT 1
            """, r => (r.GetString(0), r.IsDBNull(1) ? null
                : new FleetConfig(r.GetString(1), Long(r, 2), r.GetString(3), r.GetString(4), Time(r, 5), OptionalString(r, 6), OptionalString(r, 7))),
            ("@s", serial));
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Every device's state and group (what <see cref="FleetSnapshot"/> holds).</summary>
    public Dictionary<string, (string State, string? Group)> DeviceStates()
    {
        var map = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        foreach (var (serial, state, group) in Query("SELECT serial, state, device_group FROM devices", r => (r.GetString(0), r.GetString(1), OptionalString(r, 2))))
            map[serial] = (state, group);
        return map;
    }

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

    public void AddDownload(DownloadEntry d) =>
        Execute("INSERT INTO downloads (serial, image, range_header, status, time) VALUES (@s, @i, @r, @st, @t)",
            ("@s", d.Serial), ("@i", d.Image), ("@r", d.Range), ("@st", d.Status), ("@t", Time(d.Time)));

    public IReadOnlyList<DownloadEntry> Downloads(string image) =>
        Query("SELECT time, serial, range_header, status FROM downloads WHERE image = @i ORDER BY id",
            r => new DownloadEntry(Time(r, 0), r.GetString(1), image, OptionalString(r, 2), (int)Long(r, 3)), ("@i", image));

    public void AddToken(string hash, string name, DateTimeOffset now) =>
        Execute("INSERT INTO tokens (hash, name, created_at) VALUES (@h, @n, @t)", ("@h", hash), ("@n", name), ("@t", Time(now)));

    public string? TokenName(string hash) => Query("SELECT name FROM tokens WHERE hash = @h", r => r.GetString(0), ("@h", hash)).SingleOrDefault();

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
