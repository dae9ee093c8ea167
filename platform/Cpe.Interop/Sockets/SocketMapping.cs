using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// A shared mapping of a socket's kernel memory (mmap(2) of a TPACKET ring): a pointer the packet path walks in place.
/// Unmapped once on Dispose; the socket must outlive it (the owner disposes the mapping first).
/// </summary>
public sealed unsafe class SocketMapping : IDisposable
{
    const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    byte* _address;

    SocketMapping(byte* address, nuint length)
    {
        _address = address;
        Length = length;
    }

    /// <summary>The start of the mapping; valid until Dispose.</summary>
    public byte* Address => _address != null ? _address : throw new ObjectDisposedException(nameof(SocketMapping));

    public nuint Length { get; }

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="socket"/>'s rings, readable and writable, shared with the kernel.</summary>
    public static SocketMapping Map(KernelSocket socket, nuint length)
    {
        using var fd = new Descriptor(socket.Handle);
        void* address = LibC.mmap(null, (size_t)(ulong)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd.Fd, 0);
        if (address == (void*)-1) throw new LinuxException("mmap", socket.Name, Libc.Errno);
        return new SocketMapping((byte*)address, length);
    }

    public void Dispose()
    {
        if (_address == null) return;
        // SAFETY: the address and length are exactly what mmap returned and was given; nothing reads the mapping after
        // Dispose (Address throws).
        LibC.munmap(_address, (size_t)(ulong)Length);
        _address = null;
    }
}
