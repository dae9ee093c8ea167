using System.Net;

namespace Cpe.Network.Dhcp;

/// <summary>An address lease and everything the server sent with it (the options the phone-home agent reads).</summary>
public sealed record DhcpLease(IPAddress Address, int PrefixLength, IPAddress Server, byte[] ServerMac, DateTimeOffset ObtainedAt,
    TimeSpan LeaseTime, TimeSpan RenewAfter, TimeSpan RebindAfter, DhcpOptions Options)
{
    /// <summary>T1 and T2 default to 50 % and 87.5 % of the lease when the server does not say (RFC 2131 §4.4.5).</summary>
    public static DhcpLease From(DhcpMessage ack, byte[] serverMac, DateTimeOffset now)
    {
        var o = ack.Options;
        var lease = o.LeaseTime ?? throw new DhcpException("the server's ACK has no lease time (option 51)");
        var server = o.ServerIdentifier ?? throw new DhcpException("the server's ACK has no server identifier (option 54)");
        int prefix = o.SubnetMask is IPAddress mask ? PrefixOf(mask) : 24;
        return new DhcpLease(ack.YourAddress, prefix, server, serverMac, now, lease,
            o.RenewalTime ?? lease / 2, o.RebindingTime ?? lease * 7 / 8, o);
    }

    static int PrefixOf(IPAddress mask) =>
        mask.GetAddressBytes().Sum(b => System.Numerics.BitOperations.PopCount(b));
}
