namespace Cpe.Interop;

/// <summary>Network namespaces kept alive by a bind mount of their nsfs file, as "ip netns add" makes them.</summary>
public static class NamedNetworkNamespace
{
    /// <summary>Whether <paramref name="path"/> holds a namespace (a mount of nsfs), not just a file left from before a reboot.</summary>
    public static bool Exists(string path) =>
        File.Exists(path) && File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 8 } f && f[4] == path && line.Contains(" - nsfs ", StringComparison.Ordinal));

    /// <summary>Creates a new, empty network namespace at <paramref name="path"/>; one already there is kept.</summary>
    public static void Create(string path)
    {
        if (Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        try
        {
            // A thread of its own unshares and binds its new namespace to the file; it ends right after.
            Namespaces.RunUnshared(Namespaces.CLONE_NEWNET, () => Mounts.Mount("/proc/thread-self/ns/net", path, null, Mounts.MS_BIND));
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Unmounts and removes the namespace's file; the kernel frees the namespace once nothing is in it.</summary>
    public static void Delete(string path)
    {
        if (!File.Exists(path)) return;
        try { Mounts.Unmount(path, Mounts.MNT_DETACH); }
        catch (LinuxException) { }   // not mounted (a file left from before a reboot): removing it is all there is to do
        File.Delete(path);
    }
}
