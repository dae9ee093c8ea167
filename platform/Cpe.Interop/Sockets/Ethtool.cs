using System.Runtime.InteropServices;
using System.Text;

namespace Cpe.Interop;

/// <summary>
/// The legacy ethtool ioctls that switch one offload on or off (ETHTOOL_SGRO and friends). Service chains turn GRO off
/// on the ports they steer from, so a VNF reading with AF_PACKET never gets a frame larger than the wire's.
/// </summary>
public static class Ethtool
{
    const uint SIOCETHTOOL = 0x8946;
    const int AF_INET = 2, SOCK_DGRAM = 2, EOPNOTSUPP = 95, EINVAL = 22;
    public const uint ETHTOOL_STXCSUM = 0x17, ETHTOOL_STSO = 0x1f, ETHTOOL_SGSO = 0x24, ETHTOOL_SGRO = 0x2c;

    [StructLayout(LayoutKind.Sequential)]
    struct EthtoolValue
    {
        public uint Cmd;
        public uint Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    unsafe struct IfReq
    {
        public fixed byte Name[16];
        public void* Data;
        fixed byte _pad[16];
    }

    /// <summary>Sets one offload of <paramref name="device"/> (in the caller's network namespace); a device without it is left alone.</summary>
    public static unsafe void Set(string device, uint command, bool on)
    {
        var name = Encoding.ASCII.GetBytes(device);
        if (name.Length > 15) throw new ArgumentException($"interface name {device} is longer than 15 bytes");
        using var socket = KernelSocket.Open(AF_INET, SOCK_DGRAM, 0, device);
        var value = new EthtoolValue { Cmd = command, Data = on ? 1u : 0u };
        // SAFETY: the kernel follows Data to the local value, which outlives the call, and reads and writes only its 8 bytes.
        var request = new IfReq { Data = &value };
        for (int i = 0; i < name.Length; i++) request.Name[i] = name[i];
        int errno = socket.Ioctl(SIOCETHTOOL, ref request);
        if (errno != 0 && errno != EOPNOTSUPP && errno != EINVAL) throw new LinuxException("SIOCETHTOOL", device, errno);
    }
}
