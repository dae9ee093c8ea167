using Cpe.Interop;

namespace Cpe.Image.Install;

/// <summary>A written slot's kernel and first stage (its /boot), copied out for the ESP.</summary>
public interface IBootFiles
{
    Task<(string Kernel, string Initrd)> ExtractAsync(string slotDevice, string folder, CancellationToken ct);
}

/// <summary>On the box: the slot's SquashFS mounted read-only (no loop device: the slot is a partition), /boot copied, unmounted.</summary>
public sealed class MountedBootFiles : IBootFiles
{
    public Task<(string Kernel, string Initrd)> ExtractAsync(string slotDevice, string folder, CancellationToken ct)
    {
        string mount = Path.Combine(folder, "slot");
        Directory.CreateDirectory(mount);
        Mounts.Mount(slotDevice, mount, "squashfs", Mounts.MS_RDONLY | Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC);
        try
        {
            string kernel = Path.Combine(folder, "vmlinuz"), initrd = Path.Combine(folder, "initrd.img");
            File.Copy(Path.Combine(mount, "boot", "vmlinuz"), kernel, overwrite: true);
            File.Copy(Path.Combine(mount, "boot", "initrd.img"), initrd, overwrite: true);
            return Task.FromResult((kernel, initrd));
        }
        finally
        {
            Mounts.Unmount(mount, 0);
            Directory.Delete(mount);
        }
    }
}
