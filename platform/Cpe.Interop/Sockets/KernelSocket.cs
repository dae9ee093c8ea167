using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// A socket of a family .NET's <c>Socket</c> does not speak, or speaks too slowly for a packet path: netlink
/// (AF_NETLINK), packet (AF_PACKET, also with mapped TPACKET rings) and the socket ioctls. The descriptor is a
/// SafeHandle held for each call; errors are <see cref="LinuxException"/>s naming the call and this socket, EINTR is
/// retried, and a receive that times out (EAGAIN) is null rather than an error.
/// </summary>
public sealed partial class KernelSocket : IDisposable
{
    readonly SafeFileHandle _handle;

    KernelSocket(SafeFileHandle handle, string name) => (_handle, Name) = (handle, name);

    /// <summary>What errors call this socket ("NETLINK_ROUTE", "eth0"): the object in "recv eth0 failed: …".</summary>
    public string Name { get; }

    internal SafeFileHandle Handle => _handle;

    /// <summary>socket(2), close-on-exec, in the network namespace at <paramref name="namespacePath"/> when given (a socket keeps the namespace it was made in).</summary>
    public static KernelSocket Open(int domain, int type, int protocol, string name, string? namespacePath = null)
    {
        if (namespacePath is not null) return Namespaces.Run(namespacePath, Namespaces.CLONE_NEWNET, () => Open(domain, type, protocol, name));
        int fd = (int)Libc.Check(LibC.socket(domain, type | LibC.SOCK_CLOEXEC, protocol), "socket", name);
        return new KernelSocket(new SafeFileHandle(fd, ownsHandle: true), name);
    }

    /// <summary>bind(2) to <paramref name="address"/>, a kernel sockaddr struct (<see cref="SockaddrNl"/>, <see cref="SockaddrLl"/>).</summary>
    public unsafe void Bind<T>(in T address) where T : unmanaged
    {
        using var fd = new Descriptor(_handle);
        // SAFETY: the address is a struct of sizeof(T) bytes, pinned by the fixed statement; the kernel reads that many.
        fixed (T* a = &address) Libc.Check(LibC.bind(fd.Fd, (sockaddr*)a, (uint)sizeof(T)), "bind", Name);
    }

    /// <summary>setsockopt(2) with <paramref name="value"/>; throws on a refusal.</summary>
    public void SetOption<T>(int level, int option, in T value) where T : unmanaged
    {
        if (!TrySetOption(level, option, value)) throw new LinuxException($"setsockopt {level}/{option}", Name, Libc.Errno);
    }

    /// <summary>setsockopt(2) for an option that is harmless to lack (an older kernel): false when refused.</summary>
    public unsafe bool TrySetOption<T>(int level, int option, in T value) where T : unmanaged
    {
        using var fd = new Descriptor(_handle);
        // SAFETY: the value is a struct of sizeof(T) bytes, pinned by the fixed statement; the kernel reads that many.
        fixed (T* v = &value) return LibC.setsockopt(fd.Fd, level, option, v, (uint)sizeof(T)) == 0;
    }

    /// <summary>getsockopt(2) into a <typeparamref name="T"/>; false when the kernel refuses.</summary>
    public unsafe bool TryGetOption<T>(int level, int option, out T value) where T : unmanaged
    {
        using var fd = new Descriptor(_handle);
        T result = default;
        socklen_t length = (uint)sizeof(T);
        // SAFETY: the kernel writes at most length (sizeof(T)) bytes into the local and the new length into its own local.
        bool ok = LibC.getsockopt(fd.Fd, level, option, &result, &length) == 0;
        value = result;
        return ok;
    }

    /// <summary>SO_RCVTIMEO: a blocking receive gives up (null) after <paramref name="timeout"/>, so a loop can notice it should stop.</summary>
    public void SetReceiveTimeout(TimeSpan timeout)
    {
        const int SOL_SOCKET = 1, SO_RCVTIMEO = 20;
        long micros = (long)timeout.TotalMicroseconds;
        SetOption(SOL_SOCKET, SO_RCVTIMEO, new TimeVal { Seconds = micros / 1_000_000, Microseconds = micros % 1_000_000 });
    }

    /// <summary>send(2) of the whole datagram; EINTR retried, every other error thrown.</summary>
    public unsafe int Send(ReadOnlySpan<byte> data, int flags = 0)
    {
        using var fd = new Descriptor(_handle);
        while (true)
        {
            long n;
            // SAFETY: the data is pinned for the call and its length passed with it; the kernel only reads it.
            fixed (byte* p = data) n = LibC.send(fd.Fd, p, data.Length, flags);
            if (n >= 0) return (int)n;
            Libc.HandledErrno("send", Name);   // EINTR: again
        }
    }

    /// <summary>
    /// send(2) that never throws, for a hot path where a full queue (EAGAIN, ENOBUFS) just means "later": false on
    /// any error.
    /// </summary>
    public unsafe bool TrySend(ReadOnlySpan<byte> data, int flags)
    {
        using var fd = new Descriptor(_handle);
        // SAFETY: the data is pinned for the call and its length passed with it; the kernel only reads it.
        fixed (byte* p = data) return LibC.send(fd.Fd, p, data.Length, flags) >= 0;
    }

    /// <summary>sendto(2) to <paramref name="address"/>, a kernel sockaddr struct; EINTR retried, every other error thrown.</summary>
    public unsafe int SendTo<T>(ReadOnlySpan<byte> data, in T address) where T : unmanaged
    {
        using var fd = new Descriptor(_handle);
        while (true)
        {
            long n;
            // SAFETY: the data and the address are pinned for the call with their lengths; the kernel only reads them.
            fixed (byte* p = data) fixed (T* a = &address) n = LibC.sendto(fd.Fd, p, data.Length, 0, (sockaddr*)a, (uint)sizeof(T));
            if (n >= 0) return (int)n;
            Libc.HandledErrno("sendto", Name);   // EINTR: again
        }
    }

    /// <summary>recv(2) into <paramref name="buffer"/>: the length received, or null when nothing came (EAGAIN: a receive timeout, MSG_DONTWAIT).</summary>
    public unsafe int? Receive(Span<byte> buffer, int flags = 0)
    {
        using var fd = new Descriptor(_handle);
        while (true)
        {
            long n;
            // SAFETY: the buffer is pinned for the call and its length passed with it; the kernel writes at most that much.
            fixed (byte* p = buffer) n = LibC.recv(fd.Fd, p, buffer.Length, flags);
            if (n >= 0) return (int)n;
            if (Libc.HandledErrno("recv", Name, Libc.EAGAIN) == Libc.EAGAIN) return null;   // EINTR: again
        }
    }

    /// <summary>recvfrom(2): the length received and the sender's address, or null when nothing came (EAGAIN).</summary>
    public unsafe int? ReceiveFrom<T>(Span<byte> buffer, out T from, int flags = 0) where T : unmanaged
    {
        using var fd = new Descriptor(_handle);
        T address = default;
        while (true)
        {
            long n;
            socklen_t length = (uint)sizeof(T);
            // SAFETY: the buffer is pinned with its length, and the kernel writes at most sizeof(T) bytes of address
            // into the local; it writes the address's real length into its own local.
            fixed (byte* p = buffer) n = LibC.recvfrom(fd.Fd, p, buffer.Length, flags, (sockaddr*)&address, &length);
            from = address;
            if (n >= 0) return (int)n;
            if (Libc.HandledErrno("recvfrom", Name, Libc.EAGAIN) == Libc.EAGAIN) return null;   // EINTR: again
        }
    }

    /// <summary>Whether something can be read (or the socket has hung up) within <paramref name="timeoutMs"/>; an interrupted wait is "not yet".</summary>
    public bool WaitReadable(int timeoutMs)
    {
        using var fd = new Descriptor(_handle);
        return Libc.Wait(fd.Fd, LibC.POLLIN, timeoutMs, Name);
    }

    /// <summary>Whether there is room to send within <paramref name="timeoutMs"/> (a TPACKET transmit ring: a slot freed).</summary>
    public bool WaitWritable(int timeoutMs)
    {
        using var fd = new Descriptor(_handle);
        return Libc.Wait(fd.Fd, LibC.POLLOUT, timeoutMs, Name);
    }

    /// <summary>An ioctl on this socket whose argument is <paramref name="argument"/>; the errno, or 0 when it succeeded.</summary>
    internal unsafe int Ioctl<T>(uint request, ref T argument) where T : unmanaged
    {
        using var fd = new Descriptor(_handle);
        // SAFETY: the argument is a struct of the size the request expects (the caller's kernel layout), pinned for the
        // call; the request number is truncated to 32 bits by the kernel, as by Tmds.LibC's int parameter.
        fixed (T* a = &argument) return LibC.ioctl(fd.Fd, unchecked((int)request), a) == 0 ? 0 : Libc.Errno;
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>struct timeval on 64-bit Linux.</summary>
    struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }
}
