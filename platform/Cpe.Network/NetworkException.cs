namespace Cpe.Network;

/// <summary>
/// Something the network subsystem could not do (a plan, a reconcile, SR-IOV, DHCP, a probe): the base of its
/// exceptions, so a caller catches one type. Kernel refusals are <see cref="Cpe.Interop.LinuxException"/>s.
/// </summary>
public abstract class NetworkException(string message, Exception? inner = null) : Exception(message, inner);
