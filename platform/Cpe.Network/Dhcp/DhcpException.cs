using Cpe.Network;

namespace Cpe.Network.Dhcp;

/// <summary>The DHCP client could not get or keep a lease: no server answered, the server refused, the socket failed.</summary>
public sealed class DhcpException(string message) : NetworkException(message);
