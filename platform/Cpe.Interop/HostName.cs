using System.Text;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>The kernel's host name (UTS namespace of the calling process).</summary>
public static class HostName
{
    public static unsafe string Get()
    {
        // HOST_NAME_MAX is 64; one more for the terminating NUL.
        byte* buf = stackalloc byte[65];
        // SAFETY: the kernel writes at most the 65 bytes it is told of into the stack buffer, NUL-terminated.
        Libc.Check(LibC.gethostname(buf, 65), "gethostname");
        return new string((sbyte*)buf);
    }

    public static unsafe void Set(string name)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(name);
        // SAFETY: the bytes are pinned for the call and their length passed with them; the kernel only reads them.
        fixed (byte* p = bytes)
            Libc.Check(LibC.sethostname(p, bytes.Length), "sethostname", name);
    }
}
