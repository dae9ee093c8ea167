using System.Formats.Tar;
using Cpe.Interop;
using Cpe.Vnf.Packages;

namespace Cpe.Vnf.Store;

/// <summary>
/// Applies image layers to a root file system the way the OCI image spec says (docs/reference/vnf-package.md):
/// lowest layer first; ".wh.NAME" deletes NAME from the layers below, ".wh..wh..opq" empties its directory of what
/// the layers below put there; ownership, modes and modification times as in the tar. Every path is resolved inside
/// the root, symbolic links included, so no entry can write outside it. Device nodes are refused: a VNF's /dev is
/// the launcher's. Extended attributes are not kept, nor are set-user-ID and set-group-ID bits: the store is on the
/// box's own file system, and a VNF runs with no_new_privs, where they would do nothing. A name with a ".."
/// component, or a whiteout that names no single entry, refuses the layer before anything of that entry is touched.
/// </summary>
public sealed class LayerUnpacker(string root, bool applyOwnership = true)
{
    const string WhiteoutPrefix = ".wh.", OpaqueWhiteout = ".wh..wh..opq";
    readonly List<(string Path, DateTime Time)> _directoryTimes = [];

    /// <summary>Bytes written so far (file contents), for the store's quota.</summary>
    public long BytesWritten { get; private set; }

    public void Apply(Stream layer, long byteLimit)
    {
        // Paths this layer created: an opaque whiteout only hides what lower layers put in its directory.
        var fromThisLayer = new HashSet<string>(StringComparer.Ordinal);
        using var reader = new TarReader(layer, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            string relative = Clean(entry.Name);
            if (relative.Length == 0) continue;
            if (entry.EntryType is not TarEntryType.Directory && entry.Length > byteLimit - BytesWritten)
                throw new ImageStoreQuotaException($"{entry.Name} is {entry.Length} bytes; unpacking needs more than the {byteLimit} bytes left in the image store");
            string name = Path.GetFileName(relative), parentRelative = Path.GetDirectoryName(relative) ?? "";
            string parent = Resolve(parentRelative, createMissing: true);
            if (name == OpaqueWhiteout)
            {
                foreach (var child in Directory.EnumerateFileSystemEntries(parent))
                    if (!fromThisLayer.Contains(child)) Remove(child);
                continue;
            }
            if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                string hidden = name[WhiteoutPrefix.Length..];
                // ".wh..." would whiteout "..": the folder above, which for the root is outside the image.
                if (hidden is "" or "." or ".." || hidden.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
                    throw new VnfPackageException($"layer entry '{entry.Name}' is a whiteout that names no entry of its folder");
                Remove(Path.Combine(parent, hidden));
                continue;
            }
            string target = Path.Combine(parent, name);
            Write(entry, target);
            fromThisLayer.Add(target);
            if (entry.DataStream is { } data) BytesWritten += data.Length;
            if (BytesWritten > byteLimit) throw new ImageStoreQuotaException($"unpacking needs more than the {byteLimit} bytes left in the image store");
        }
    }

    /// <summary>
    /// Unpacks every layer of <paramref name="package"/> into the root, lowest first, each read from
    /// <paramref name="openBlob"/> (a layer's compressed bytes) and checked against its digests to the last byte. The
    /// image store and <c>cpe-vnf verify</c> both unpack through here, so the vendor's check is the box's.
    /// </summary>
    public void ApplyAll(VnfPackage package, Func<OciDescriptor, Stream> openBlob, long byteLimit)
    {
        for (int i = 0; i < package.Manifest.Layers.Count; i++)
        {
            var descriptor = package.Manifest.Layers[i];
            using var layer = package.OpenLayer(i, openBlob(descriptor));
            try
            {
                Apply(layer, byteLimit);
                layer.VerifyToEnd();
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
            {
                // A layer that does not decompress or is not a tar: corrupt, whatever its digest would have said.
                throw new VnfPackageException($"layer {descriptor.Digest} is corrupt: {e.Message}", e);
            }
            catch (NotSupportedException e)
            {
                // The tar reader meets an entry type it cannot read (a GNU sparse file): the store takes none of those either.
                throw new VnfPackageException($"layer {descriptor.Digest} holds what a VNF image may not: {e.Message} (files, directories, links and FIFOs only)", e);
            }
        }
        Finish();
    }

    /// <summary>Directory times last: adding entries to a directory changes its time.</summary>
    public void Finish()
    {
        foreach (var (path, time) in Enumerable.Reverse(_directoryTimes))
            if (Directory.Exists(path)) Directory.SetLastWriteTimeUtc(path, time);
    }

    void Write(TarEntry entry, string target)
    {
        var mode = entry.Mode;
        var existing = new FileInfo(target);
        bool exists = existing.Exists || Directory.Exists(target) || existing.LinkTarget is not null;
        if (entry.EntryType == TarEntryType.Directory)
        {
            if (exists && !(Directory.Exists(target) && existing.LinkTarget is null)) Remove(target);
            Directory.CreateDirectory(target);
            if (applyOwnership) Files.Chown(target, entry.Uid, entry.Gid);
            File.SetUnixFileMode(target, mode);
            _directoryTimes.Add((target, entry.ModificationTime.UtcDateTime));
            return;
        }
        if (exists) Remove(target);
        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                using (var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    entry.DataStream?.CopyTo(file);
                if (applyOwnership) Files.Chown(target, entry.Uid, entry.Gid);
                File.SetUnixFileMode(target, mode & ~(UnixFileMode.SetUser | UnixFileMode.SetGroup));
                File.SetLastWriteTimeUtc(target, entry.ModificationTime.UtcDateTime);
                break;
            case TarEntryType.SymbolicLink:
                File.CreateSymbolicLink(target, entry.LinkName);
                if (applyOwnership) Files.Lchown(target, entry.Uid, entry.Gid);
                break;
            case TarEntryType.HardLink:
                string linkName = Clean(entry.LinkName);
                string linked = Path.Combine(Resolve(Path.GetDirectoryName(linkName) ?? "", createMissing: false), Path.GetFileName(linkName));
                if (!File.Exists(linked)) throw new VnfPackageException($"hard link {entry.Name} points at {entry.LinkName}, which the layers do not hold");
                Files.HardLink(linked, target);
                break;
            case TarEntryType.Fifo:
                Files.MakeFifo(target, mode);
                if (applyOwnership) Files.Chown(target, entry.Uid, entry.Gid);
                File.SetUnixFileMode(target, mode);   // mkfifo's mode passed through the umask
                break;
            default:
                throw new VnfPackageException($"{entry.Name} is a {entry.EntryType}; a VNF image may hold files, directories, links and FIFOs (its /dev comes from the launcher)");
        }
    }

    /// <summary>
    /// <paramref name="relative"/> inside the root with every symbolic link on the way followed as if the root were "/"
    /// ("secure join"): ".." stops at the root, absolute link targets start again at it.
    /// </summary>
    string Resolve(string relative, bool createMissing)
    {
        var pending = new Stack<string>(relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        int links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".") continue;
            if (part == "..") { if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1); continue; }
            string path = Path.Combine([root, .. resolved, part]);
            var info = new FileInfo(path);
            if (info.LinkTarget is string link)
            {
                if (++links > 40) throw new VnfPackageException($"too many symbolic links resolving {relative}");
                if (link.StartsWith('/')) resolved.Clear();
                foreach (var p in link.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(p);
                continue;
            }
            if (!info.Exists && !Directory.Exists(path))
            {
                if (!createMissing) { resolved.Add(part); continue; }
                Directory.CreateDirectory(path);
            }
            else if (info.Exists) throw new VnfPackageException($"{relative}: {string.Join('/', resolved.Append(part))} is a file, not a directory");
            resolved.Add(part);
        }
        return Path.Combine([root, .. resolved]);
    }

    static void Remove(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is null && Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else if (info.Exists || info.LinkTarget is not null) File.Delete(path);
    }

    /// <summary>
    /// A tar name as a clean relative path: "./", leading "/" and "." dropped. ".." is refused: no tool that builds
    /// images writes it, and a whiteout or entry named through it would reach above the root being built.
    /// </summary>
    static string Clean(string name)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains("..")) throw new VnfPackageException($"layer entry '{name}' reaches outside the image's root ('..')");
        return string.Join('/', parts);
    }
}
