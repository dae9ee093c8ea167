using System.Text;

namespace Cpe.Interop;

/// <summary>The kernel's host name (UTS namespace of the calling process).</summary>
public static class HostName
{
    public static unsafe string Get()
    {
        // HOST_NAME_MAX is 64; one more for the terminating NUL.
        byte* buf = stackalloc byte[65];
        Libc.Check(Libc.gethostname(buf, 65), "gethostname");
        return new string((sbyte*)buf);
    }

    public static unsafe void Set(string name)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(name);
        fixed (byte* p = bytes)
            Libc.Check(Libc.sethostname(p, (nuint)bytes.Length), "sethostname", name);
    }
}
