using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>struct ucred from SO_PEERCRED: who is at the other end of a Unix socket.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    const int SOL_SOCKET = 1, SO_PEERCRED = 17;

    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> buf = stackalloc byte[12];
        int n = socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, buf);
        if (n != 12) throw new LinuxException("getsockopt(SO_PEERCRED)", null, 22);
        return MemoryMarshal.Read<PeerCredentials>(buf);
    }
}
