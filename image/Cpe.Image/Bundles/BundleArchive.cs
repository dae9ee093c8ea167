using System.Text;

namespace Cpe.Image.Bundles;

/// <summary>
/// A bundle's container: a POSIX ustar archive of exactly three members in this order (manifest, signature, slot image)
/// and the two zero blocks that end it, nothing after. Any tar lists and extracts it; this code writes one canonical
/// header per member (mode 0644, owner 0, time 0) and accepts only that header, byte for byte, so no byte of the
/// container outside the signed manifest and the hashed image can change unnoticed.
/// </summary>
public static class BundleArchive
{
    public const string ManifestName = "manifest.json", SignatureName = "manifest.json.p7s", ImageName = "rootfs.img";
    public const int Block = 512;
    public const int MaxManifest = 1 << 20, MaxSignature = 64 << 10;

    /// <summary>The most bytes before the image: three headers, the largest manifest and signature, their padding.</summary>
    public const int MaxHead = 3 * Block + MaxManifest + MaxSignature + 2 * Block;

    public static byte[] Header(string name, long size)
    {
        var h = new byte[Block];
        Encoding.ASCII.GetBytes(name).CopyTo(h, 0);
        Octal(h, 100, 8, 0b110_100_100);   // mode
        Octal(h, 108, 8, 0);               // uid
        Octal(h, 116, 8, 0);               // gid
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, 0);              // mtime: fixed, so the same inputs give the same bundle
        h[156] = (byte)'0';                // a regular file
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(h, 257);
        Octal(h, 329, 8, 0);               // devmajor
        Octal(h, 337, 8, 0);               // devminor
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';   // the checksum counts its own field as spaces
        long sum = h.Sum(b => (long)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        return h;
    }

    /// <summary>
    /// Every byte before the image: the archive is canonical, so the manifest, the signature and the image's size
    /// determine them. The writer writes these; an installer hashes them to know the bundle file's SHA-256 without
    /// having downloaded it whole.
    /// </summary>
    public static byte[] Head(byte[] manifest, byte[] signature, long imageSize)
    {
        var head = new byte[ImageOffset(manifest.Length, signature.Length)];
        int at = 0;
        void Put(ReadOnlySpan<byte> bytes, int padding)
        {
            bytes.CopyTo(head.AsSpan(at));
            at += bytes.Length + padding;   // the array is zeroed: padding needs no writing
        }
        Put(Header(ManifestName, manifest.Length), 0);
        Put(manifest, Padding(manifest.Length));
        Put(Header(SignatureName, signature.Length), 0);
        Put(signature, Padding(signature.Length));
        Put(Header(ImageName, imageSize), 0);
        return head;
    }

    /// <summary>Bytes of zero padding after a member of <paramref name="size"/> bytes.</summary>
    public static int Padding(long size) => (int)((Block - size % Block) % Block);

    /// <summary>Where the image's bytes start, given the manifest's and the signature's sizes.</summary>
    public static long ImageOffset(long manifestSize, long signatureSize) =>
        Block + manifestSize + Padding(manifestSize) + Block + signatureSize + Padding(signatureSize) + Block;

    /// <summary>The bytes after the image: its padding and the two zero blocks.</summary>
    public static int TrailerLength(long imageSize) => Padding(imageSize) + 2 * Block;

    /// <summary>The size a member header declares, when it is exactly the canonical header for <paramref name="name"/>.</summary>
    public static long ReadHeader(ReadOnlySpan<byte> header, string name, long maxSize)
    {
        if (header.Length != Block) throw new BundleRefusedException($"it ends inside the {name} header");
        string sizeField = Encoding.ASCII.GetString(header.Slice(124, 11));
        if (header[135] != 0 || !sizeField.All(c => c is >= '0' and <= '7'))
            throw new BundleRefusedException($"its {name} header is not the canonical ustar header");
        long size = Convert.ToInt64(sizeField, 8);
        if (!header.SequenceEqual(Header(name, size)))
            throw new BundleRefusedException($"its member where {name} belongs is not the canonical ustar header for {name}");
        if (size > maxSize) throw new BundleRefusedException($"its {name} is {size} bytes, more than {maxSize}");
        return size;
    }

    static void Octal(byte[] header, int offset, int length, long value)
    {
        var digits = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(digits).CopyTo(header, offset);
        header[offset + length - 1] = 0;
    }
}
