using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>
/// A SafeHandle's descriptor held for the span of one call: the reference taken here keeps a concurrent Dispose from
/// closing the number (and the kernel from reusing it for another file) while the call runs. Allocation-free, so the
/// packet path can use it per call: <c>using var fd = new Descriptor(handle); LibC.send(fd.Fd, …)</c>.
/// </summary>
internal ref struct Descriptor
{
    readonly SafeHandle _handle;
    bool _added;

    public Descriptor(SafeHandle handle)
    {
        _handle = handle;
        handle.DangerousAddRef(ref _added);   // throws ObjectDisposedException once the handle is closed
        Fd = (int)handle.DangerousGetHandle();
    }

    public int Fd { get; }

    public void Dispose()
    {
        if (!_added) return;
        _added = false;
        _handle.DangerousRelease();
    }
}
