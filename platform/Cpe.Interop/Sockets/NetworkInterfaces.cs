namespace Cpe.Interop;

/// <summary>Interface names to kernel indexes (if_nametoindex(3)), in the calling thread's network namespace.</summary>
public static class NetworkInterfaces
{
    /// <summary>The index of <paramref name="name"/>, or null when the namespace has no such interface.</summary>
    public static unsafe int? IndexOf(string name)
    {
        byte[] bytes = Libc.Utf8z(name);
        // SAFETY: the NUL-terminated name is pinned for the call; the C library only reads it.
        fixed (byte* p = bytes)
        {
            uint index = Libc.if_nametoindex(p);
            return index == 0 ? null : (int)index;
        }
    }
}
