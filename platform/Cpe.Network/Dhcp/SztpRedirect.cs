using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Cpe.Network.Dhcp;

/// <summary>
/// RFC 8572 §8.3 (DHCPv4 option 143, DHCPv6 option 136): a bootstrap-server-list of entries, each a
/// 2-octet uri-length and the URI. A URI must be https://host[:port] (an IP address or a DNS name,
/// nothing after the authority); invalid entries are skipped, and a truncated tail ends the list.
/// </summary>
public static class SztpRedirect
{
    public static IReadOnlyList<Uri> Decode(ReadOnlySpan<byte> data)
    {
        var uris = new List<Uri>();
        while (data.Length >= 2)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(data);
            data = data[2..];
            if (length > data.Length) break;   // an entry running past the option: nothing after it can be trusted
            if (Parse(data[..length]) is Uri uri) uris.Add(uri);
            data = data[length..];
        }
        return uris;
    }

    public static byte[] Encode(IEnumerable<string> uris)
    {
        var bytes = new List<byte>();
        foreach (var u in uris)
        {
            var text = Encoding.ASCII.GetBytes(u);
            bytes.Add((byte)(text.Length >> 8));
            bytes.Add((byte)text.Length);
            bytes.AddRange(text);
        }
        return bytes.ToArray();
    }

    static Uri? Parse(ReadOnlySpan<byte> entry)
    {
        if (entry.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7e) >= 0) return null;   // printable ASCII, no spaces
        string text = Encoding.ASCII.GetString(entry);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps) return null;
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0) return null;
        if (uri.AbsolutePath != "/") return null;   // no path: the bootstrap server's operations have fixed paths
        if (uri.HostNameType is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6)) return null;
        return uri;
    }
}
