using Cpe.Network;

namespace Cpe.Network.Sriov;

/// <summary>An SR-IOV request that cannot be met: which PF, and why, in words a technician can act on.</summary>
public sealed class SriovException(string message, Exception? inner = null) : NetworkException(message, inner);
