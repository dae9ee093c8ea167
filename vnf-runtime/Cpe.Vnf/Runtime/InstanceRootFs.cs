using Cpe.Interop;

namespace Cpe.Vnf.Runtime;

/// <summary>
/// An instance's root file system (docs/reference/vnf-runtime.md): an overlay at BUNDLE/rootfs whose lower layer is
/// the image's unpacked tree in the store (never written) and whose upper layer is the instance's own
/// (BUNDLE/upper, with BUNDLE/work), so the mount points the launcher creates, and anything a VNF with a writable
/// root would write, stay with the instance.
/// </summary>
public static class InstanceRootFs
{
    public static string Path(string bundle) => System.IO.Path.Combine(bundle, "rootfs");

    public static void Mount(string bundle, string imageTree)
    {
        string rootfs = Path(bundle), upper = System.IO.Path.Combine(bundle, "upper"), work = System.IO.Path.Combine(bundle, "work");
        foreach (var d in new[] { rootfs, upper, work }) Directory.CreateDirectory(d);
        if (IsMounted(rootfs)) return;
        Mounts.Mount("cpe-vnf", rootfs, "overlay", Mounts.MS_NODEV, $"lowerdir={imageTree},upperdir={upper},workdir={work}");
    }

    public static void Unmount(string bundle)
    {
        if (IsMounted(Path(bundle))) Mounts.Unmount(Path(bundle), Mounts.MNT_DETACH);
    }

    static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ') is { Length: > 4 } f && f[4] == System.IO.Path.GetFullPath(path));
}
