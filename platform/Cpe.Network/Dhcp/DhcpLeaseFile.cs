using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cpe.Network.Dhcp;

/// <summary>
/// A lease kept across restarts (docs/reference/dhcp.md): one JSON file per port, written atomically
/// (temporary file, fsync, rename), holding the address, the server, the times and every option as hex.
/// </summary>
public static class DhcpLeaseFile
{
    public static void Save(string path, DhcpLease lease)
    {
        var record = new LeaseRecord(lease.Address.ToString(), lease.PrefixLength, lease.Server.ToString(), Convert.ToHexString(lease.ServerMac),
            lease.ObtainedAt, (long)lease.LeaseTime.TotalSeconds, (long)lease.RenewAfter.TotalSeconds, (long)lease.RebindAfter.TotalSeconds,
            lease.Options.Codes.ToDictionary(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture), c => Convert.ToHexString(lease.Options[c]!)));
        string temporary = path + ".new";
        using (var f = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(f, record, LeaseJson.Default.LeaseRecord);
            f.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The stored lease, or null when there is none or it cannot be read (a damaged file is no lease, not an error).</summary>
    public static DhcpLease? Load(string path)
    {
        try
        {
            var r = JsonSerializer.Deserialize(File.ReadAllText(path), LeaseJson.Default.LeaseRecord);
            if (r is null) return null;
            var options = new DhcpOptions();
            foreach (var (code, hex) in r.Options) options.Set(byte.Parse(code, System.Globalization.CultureInfo.InvariantCulture), Convert.FromHexString(hex));
            return new DhcpLease(IPAddress.Parse(r.Address), r.PrefixLength, IPAddress.Parse(r.Server), Convert.FromHexString(r.ServerMac),
                r.ObtainedAt, TimeSpan.FromSeconds(r.LeaseSeconds), TimeSpan.FromSeconds(r.RenewSeconds), TimeSpan.FromSeconds(r.RebindSeconds), options);
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or OverflowException or NullReferenceException)
        {
            return null;
        }
    }

    public static void Delete(string path) => File.Delete(path);
}

internal sealed record LeaseRecord(string Address, int PrefixLength, string Server, string ServerMac, DateTimeOffset ObtainedAt,
    long LeaseSeconds, long RenewSeconds, long RebindSeconds, Dictionary<string, string> Options);

[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(LeaseRecord))]
internal sealed partial class LeaseJson : JsonSerializerContext;
