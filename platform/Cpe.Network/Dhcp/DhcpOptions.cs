using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Cpe.Network.Dhcp;

/// <summary>
/// The options of a DHCP message by code. Several instances of one code are concatenated (RFC 3396),
/// which long options such as 143 rely on. Typed readers return null for an absent or malformed option.
/// </summary>
public sealed class DhcpOptions
{
    readonly SortedDictionary<byte, byte[]> _values = [];

    public IEnumerable<byte> Codes => _values.Keys;
    public byte[]? this[byte code] => _values.GetValueOrDefault(code);

    public DhcpOptions Set(byte code, ReadOnlySpan<byte> value)
    {
        _values[code] = value.ToArray();
        return this;
    }

    internal void Append(byte code, ReadOnlySpan<byte> value) =>
        _values[code] = _values.TryGetValue(code, out var existing) ? [.. existing, .. value] : value.ToArray();

    public DhcpMessageType? MessageType => this[DhcpOptionCode.MessageType] is [byte t] ? (DhcpMessageType)t : null;
    public IPAddress? ServerIdentifier => Address(DhcpOptionCode.ServerIdentifier);
    public IPAddress? SubnetMask => Address(DhcpOptionCode.SubnetMask);
    public IReadOnlyList<IPAddress> Routers => Addresses(DhcpOptionCode.Router);
    public IReadOnlyList<IPAddress> DnsServers => Addresses(DhcpOptionCode.DomainNameServer);
    public IReadOnlyList<IPAddress> NtpServers => Addresses(DhcpOptionCode.NtpServers);
    public string? DomainName => this[DhcpOptionCode.DomainName] is byte[] b ? Encoding.ASCII.GetString(b).TrimEnd('\0') : null;
    public byte[]? VendorSpecific => this[DhcpOptionCode.VendorSpecific];
    public TimeSpan? LeaseTime => Seconds(DhcpOptionCode.LeaseTime);
    public TimeSpan? RenewalTime => Seconds(DhcpOptionCode.RenewalTime);
    public TimeSpan? RebindingTime => Seconds(DhcpOptionCode.RebindingTime);

    /// <summary>Option 143 decoded per RFC 8572 §8.3: the valid bootstrap server URIs, in order.</summary>
    public IReadOnlyList<Uri> SztpBootstrapServers => this[DhcpOptionCode.SztpRedirect] is byte[] b ? SztpRedirect.Decode(b) : [];

    IPAddress? Address(byte code) => this[code] is { Length: 4 } b ? new IPAddress(b) : null;

    IReadOnlyList<IPAddress> Addresses(byte code) =>
        this[code] is byte[] b && b.Length > 0 && b.Length % 4 == 0 ? b.Chunk(4).Select(a => new IPAddress(a)).ToList() : [];

    TimeSpan? Seconds(byte code) =>
        this[code] is { Length: 4 } b ? TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(b)) : null;
}
