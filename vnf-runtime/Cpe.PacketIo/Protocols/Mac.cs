using System.Buffers.Binary;

namespace Cpe.PacketIo.Protocols;

/// <summary>MAC addresses as the low 48 bits of a ulong (no arrays), read and written in frame order.</summary>
public static class Mac
{
    public static ulong Read(ReadOnlySpan<byte> b) => (ulong)BinaryPrimitives.ReadUInt16BigEndian(b) << 32 | BinaryPrimitives.ReadUInt32BigEndian(b[2..]);

    public static void Write(Span<byte> b, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(b[2..], (uint)mac);
    }

    /// <summary>An interface's own MAC, from sysfs (read-only /sys is mounted in every VNF).</summary>
    public static ulong OfInterface(string name) =>
        Convert.ToUInt64(File.ReadAllText($"/sys/class/net/{name}/address").Trim().Replace(":", ""), 16);
}
