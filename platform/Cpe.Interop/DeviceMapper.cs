using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// The device-mapper's control device (linux/dm-ioctl.h, interface version 4): enough to create a read-only mapped
/// device with one target and activate it, which is what the first stage needs to read a slot through dm-verity.
/// Each request is a struct dm_ioctl followed by its payload in one buffer; the kernel answers in the same buffer.
/// </summary>
public static class DeviceMapper
{
    public const string ControlPath = "/dev/mapper/control";
    internal const int HeaderSize = 312, TargetSpecSize = 40, NameLength = 128;
    internal const uint DM_DEV_CREATE_CMD = 3, DM_DEV_REMOVE_CMD = 4, DM_DEV_SUSPEND_CMD = 6, DM_TABLE_LOAD_CMD = 9;
    const uint DM_READONLY_FLAG = 1;

    /// <summary>_IOWR(0xfd, nr, struct dm_ioctl).</summary>
    internal static nuint Request(uint nr) => (nuint)((3u << 30) | ((uint)HeaderSize << 16) | (0xfdu << 8) | nr);

    /// <summary>
    /// Creates device <paramref name="name"/> read-only with one target covering <paramref name="sectors"/> 512-byte
    /// sectors, loads it and resumes it (makes it live). Returns the device's minor number: devtmpfs names it
    /// /dev/dm-MINOR. On any failure the half-made device is removed again.
    /// </summary>
    public static int CreateReadOnly(string name, string targetType, long sectors, string parameters)
    {
        if (Encoding.UTF8.GetByteCount(name) >= NameLength) throw new ArgumentException("a device-mapper name is at most 127 bytes", nameof(name));
        using var control = File.OpenHandle(ControlPath, FileMode.Open, FileAccess.ReadWrite);
        var created = Call(control, DM_DEV_CREATE_CMD, name, DM_READONLY_FLAG, []);
        try
        {
            Call(control, DM_TABLE_LOAD_CMD, name, DM_READONLY_FLAG, TargetSpec(targetType, sectors, parameters), targets: 1);
            Call(control, DM_DEV_SUSPEND_CMD, name, 0, []);   // without DM_SUSPEND_FLAG: resume, which makes the loaded table live
        }
        catch (LinuxException)
        {
            try { Call(control, DM_DEV_REMOVE_CMD, name, 0, []); } catch (LinuxException) { }
            throw;
        }
        ulong dev = BinaryPrimitives.ReadUInt64LittleEndian(created.AsSpan(40));
        return (int)((dev & 0xff) | ((dev >> 12) & 0xfff00));   // the kernel's huge_encode_dev: minor's low 8 bits, then the rest above the major
    }

    /// <summary>struct dm_target_spec (sector_start, length, status, next, target_type[16]) and the target's parameters, NUL-terminated, padded to 8.</summary>
    static byte[] TargetSpec(string type, long sectors, string parameters)
    {
        var text = Encoding.UTF8.GetBytes(parameters);
        var spec = new byte[(TargetSpecSize + text.Length + 1 + 7) & ~7];
        BinaryPrimitives.WriteInt64LittleEndian(spec.AsSpan(8), sectors);
        if (Encoding.ASCII.GetBytes(type, spec.AsSpan(24, 15)) != type.Length) throw new ArgumentException("a target type is at most 15 ASCII characters", nameof(type));
        text.CopyTo(spec, TargetSpecSize);
        return spec;
    }

    /// <summary>One request: header (version 4.0.0, sizes, flags, name) and payload; returns the buffer the kernel answered in.</summary>
    static byte[] Call(SafeFileHandle control, uint command, string name, uint flags, byte[] payload, uint targets = 0)
    {
        // Room for the kernel's answer beyond what is sent (it fails with DM_BUFFER_FULL_FLAG otherwise; these commands answer little).
        var buffer = new byte[HeaderSize + Math.Max(payload.Length, 4096)];
        var b = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(b, 4);                              // version[0]: the interface's major
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], (uint)buffer.Length);      // data_size
        BinaryPrimitives.WriteUInt32LittleEndian(b[16..], HeaderSize);               // data_start
        BinaryPrimitives.WriteUInt32LittleEndian(b[20..], targets);                  // target_count
        BinaryPrimitives.WriteUInt32LittleEndian(b[28..], flags);                    // flags
        Encoding.UTF8.GetBytes(name, b.Slice(48, NameLength - 1));
        payload.CopyTo(b[HeaderSize..]);
        using var descriptor = new Descriptor(control);
        int fd = descriptor.Fd;
        Libc.Retry(() =>
        {
            // SAFETY: the buffer is pinned for the call and data_size tells the kernel its exact length, so the kernel
            // reads and writes only inside it; the descriptor stays open while held. The request number is truncated
            // to 32 bits by the kernel, as by Tmds.LibC's int parameter.
            unsafe { fixed (byte* p = buffer) return LibC.ioctl(fd, unchecked((int)Request(command)), p); }
        }, CommandName(command), name);
        return buffer;
    }

    static string CommandName(uint command) => command switch
    {
        DM_DEV_CREATE_CMD => "DM_DEV_CREATE",
        DM_DEV_REMOVE_CMD => "DM_DEV_REMOVE",
        DM_DEV_SUSPEND_CMD => "DM_DEV_SUSPEND",
        DM_TABLE_LOAD_CMD => "DM_TABLE_LOAD",
        _ => $"DM ioctl {command}",
    };
}
