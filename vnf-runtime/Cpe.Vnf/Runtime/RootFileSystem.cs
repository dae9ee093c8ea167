using Cpe.Interop;
using static Cpe.Interop.Mounts;

namespace Cpe.Vnf.Runtime;

/// <summary>
/// Builds a VNF's view of the file system inside its new mount namespace: the bundle's root bind-mounted on itself,
/// the spec's mounts inside it (never through a symbolic link out of it), the few device nodes a program needs
/// bind-mounted from the host, pivot_root into it with the old root detached, the masked and read-only paths of
/// /proc and /sys, and finally the root made read-only.
/// </summary>
static class RootFileSystem
{
    static readonly string[] Devices = ["null", "zero", "full", "random", "urandom", "tty"];

    public static void Prepare(string rootfs, RuntimeSpec spec)
    {
        if (!Directory.Exists(rootfs)) throw new RuntimeSpecException($"the root file system {rootfs} does not exist");
        // Nothing mounted from here on propagates back to the host.
        Mount(null, "/", null, MS_REC | MS_PRIVATE);
        Mount(rootfs, rootfs, null, MS_BIND | MS_REC);
        foreach (var m in spec.Mounts) MountInside(rootfs, m);
        if (spec.Mounts.Any(m => m.Destination == "/dev" && m.Type == "tmpfs")) PopulateDev(rootfs);

        Directory.SetCurrentDirectory(rootfs);
        // pivot_root(".", ".") stacks the old root on the new one; detaching it then leaves only the new root.
        PivotRoot(".", ".");
        Unmount(".", MNT_DETACH);
        Directory.SetCurrentDirectory("/");

        foreach (var path in spec.Linux.MaskedPaths) Mask(path);
        foreach (var path in spec.Linux.ReadonlyPaths)
            if (Path.Exists(path)) { Mount(path, path, null, MS_BIND | MS_REC); Mount(path, path, null, MS_BIND | MS_REC | MS_REMOUNT | MS_RDONLY); }
        if (spec.Root.Readonly) Mount(null, "/", null, MS_BIND | MS_REMOUNT | MS_RDONLY);
    }

    static void MountInside(string rootfs, SpecMount m)
    {
        string target = Inside(rootfs, m.Destination);
        var (flags, data) = Options(m.Options);
        bool bind = (flags & MS_BIND) != 0;
        if (bind && File.Exists(m.Source)) { if (!File.Exists(target)) File.WriteAllBytes(target, []); }
        else Directory.CreateDirectory(target);
        if (bind)
        {
            Mount(m.Source, target, null, flags & (MS_BIND | MS_REC));
            // A bind mount takes ro, nosuid, nodev and noexec only on a remount.
            if ((flags & ~(MS_BIND | MS_REC)) != 0) Mount(null, target, null, flags | MS_REMOUNT);
        }
        else Mount(m.Source, target, m.Type, flags, data.Length > 0 ? data : null);
    }

    static void PopulateDev(string rootfs)
    {
        string dev = Path.Combine(rootfs, "dev");
        foreach (var name in Devices)
        {
            string node = Path.Combine(dev, name);
            File.WriteAllBytes(node, []);
            Mount("/dev/" + name, node, null, MS_BIND);
        }
        foreach (var (link, target) in new[] { ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                                              ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx"), ("core", "/proc/kcore") })
            File.CreateSymbolicLink(Path.Combine(dev, link), target);
    }

    static void Mask(string path)
    {
        if (Directory.Exists(path)) Mount("tmpfs", path, "tmpfs", MS_RDONLY);
        else if (File.Exists(path)) Mount("/dev/null", path, null, MS_BIND);
    }

    /// <summary>
    /// <paramref name="destination"/> under <paramref name="rootfs"/>, each existing component checked so that a
    /// symbolic link in the image cannot point a mount outside the root.
    /// </summary>
    static string Inside(string rootfs, string destination)
    {
        string current = rootfs;
        foreach (var part in destination.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part is "." or "..") throw new RuntimeSpecException($"mount destination {destination} is not a clean absolute path");
            current = Path.Combine(current, part);
            if (new FileInfo(current).LinkTarget is not null)
                throw new RuntimeSpecException($"mount destination {destination} goes through the symbolic link {current}");
        }
        return current;
    }

    static (ulong Flags, string Data) Options(IEnumerable<string> options)
    {
        ulong flags = 0;
        var data = new List<string>();
        foreach (var o in options)
        {
            switch (o)
            {
                case "ro": flags |= MS_RDONLY; break;
                case "rw": flags &= ~MS_RDONLY; break;
                case "nosuid": flags |= MS_NOSUID; break;
                case "nodev": flags |= MS_NODEV; break;
                case "noexec": flags |= MS_NOEXEC; break;
                case "strictatime": flags |= MS_STRICTATIME; break;
                case "relatime": flags |= MS_RELATIME; break;
                case "noatime": flags |= MS_NOATIME; break;
                case "bind": flags |= MS_BIND; break;
                case "rbind": flags |= MS_BIND | MS_REC; break;
                case "private" or "rprivate" or "suid" or "dev" or "exec": break;
                default: data.Add(o); break;
            }
        }
        return (flags, string.Join(',', data));
    }
}
