namespace Cpe.Network.Dhcp;

/// <summary>DHCPv4 option codes used here (RFC 2132, RFC 8572 §8.3).</summary>
public static class DhcpOptionCode
{
    public const byte Pad = 0, SubnetMask = 1, Router = 3, DomainNameServer = 6, HostName = 12, DomainName = 15;
    public const byte NtpServers = 42, VendorSpecific = 43, RequestedAddress = 50, LeaseTime = 51, Overload = 52;
    public const byte MessageType = 53, ServerIdentifier = 54, ParameterRequestList = 55, RenewalTime = 58, RebindingTime = 59;
    public const byte ClientIdentifier = 61, SztpRedirect = 143, End = 255;
}

/// <summary>DHCP message types (option 53).</summary>
public enum DhcpMessageType : byte { Discover = 1, Offer = 2, Request = 3, Decline = 4, Ack = 5, Nak = 6, Release = 7, Inform = 8 }
