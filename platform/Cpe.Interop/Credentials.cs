using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// Who a process is and what it may do: groups, uid/gid, capabilities (capset(2), the bounding and ambient sets
/// through prctl(2)), no_new_privs. All per thread in the kernel: call them on the thread that then execs.
/// </summary>
public static class Credentials
{
    const int PR_SET_KEEPCAPS = 8, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_RAISE = 2;
    const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    /// <summary>The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap).</summary>
    public static int LastCapability => int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public static void SetGroups(ReadOnlySpan<uint> groups)
    {
        unsafe
        {
            // SAFETY: the span is pinned for the call and its length is passed with it; gid_t is a 32-bit value as uint.
            fixed (uint* list = groups) Libc.Check(LibC.setgroups(groups.Length, (gid_t*)list), "setgroups");
        }
    }

    public static void SetIds(uint uid, uint gid)
    {
        Libc.Check(LibC.setresgid(gid, gid, gid), "setresgid", $"{gid}");
        Libc.Check(LibC.setresuid(uid, uid, uid), "setresuid", $"{uid}");
    }

    /// <summary>Keeps the permitted capabilities across the coming change of uid away from 0.</summary>
    public static void KeepCapabilities() => Libc.Check(Libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl", "PR_SET_KEEPCAPS");

    public static void DropFromBoundingSet(int capability) => Libc.Check(Libc.prctl(PR_CAPBSET_DROP, (nuint)capability, 0, 0, 0), "prctl", $"PR_CAPBSET_DROP {capability}");

    public static void RaiseAmbient(int capability) =>
        Libc.Check(Libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (nuint)capability, 0, 0), "prctl", $"PR_CAP_AMBIENT_RAISE {capability}");

    public static void SetNoNewPrivileges() => Libc.Check(Libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl", "PR_SET_NO_NEW_PRIVS");

    /// <summary>Sets the effective, permitted and inheritable sets (64-bit masks, bit N = capability N).</summary>
    public static void SetCapabilities(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new CapHeader { Version = LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        Span<CapData> data = stackalloc CapData[2];   // version 3: two 32-bit halves
        data[0] = new CapData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new CapData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        unsafe
        {
            // SAFETY: the header and the two data structs (version 3's count) live on this stack frame for the call.
            fixed (CapData* d = data) Libc.Check(Libc.capset(&header, d), "capset");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct CapHeader { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    struct CapData { public uint Effective, Permitted, Inheritable; }
}
