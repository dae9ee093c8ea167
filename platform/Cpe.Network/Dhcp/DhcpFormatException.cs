using Cpe.Network;

namespace Cpe.Network.Dhcp;

/// <summary>A DHCP packet that does not parse: truncated, a bad magic cookie, an option running past the end.</summary>
public sealed class DhcpFormatException(string message) : NetworkException(message);
