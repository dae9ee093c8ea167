using Cpe.Image.Verity;

namespace Cpe.Image.Slots;

/// <summary>What the ESP says about one slot: its entry (none when the slot is empty or being written) and what it runs.</summary>
public sealed record SlotEntry(string Slot, BootEntry Entry, long Priority, string? FirmwareVersion, VerityRoot? Verity);

/// <summary>
/// The slots' boot entries and boot files on the mounted EFI system partition (docs/reference/firmware-slots.md).
/// Every change is a write to a temporary name, fsync, then one rename: a power cut leaves the old state or the new,
/// never a half-written entry. The boot loader does the counting; this class only writes what it reads.
/// </summary>
public sealed class BootEntries(string espRoot)
{
    public const int Tries = 3;

    public string EspRoot { get; } = espRoot;
    string Folder => Path.Combine(EspRoot, BootEntry.Folder);

    public IReadOnlyList<SlotEntry> Read()
    {
        if (!Directory.Exists(Folder)) return [];
        var entries = new List<SlotEntry>();
        foreach (var file in Directory.GetFiles(Folder).Order(StringComparer.Ordinal))
        {
            if (BootEntry.Parse(Path.GetFileName(file)) is not { } entry) continue;
            string text;
            // An install removes or renames an entry while others read (image.status during an install): an entry gone
            // between the listing and the read is one the reader no longer has.
            try { text = File.ReadAllText(file); }
            catch (FileNotFoundException) { continue; }
            var (priority, version, verity) = BootEntry.ReadText(text);
            entries.Add(new SlotEntry(entry.Slot, entry, priority, version, verity));
        }
        return entries;
    }

    public SlotEntry? Of(string slot) => Read().FirstOrDefault(e => e.Slot == slot);

    /// <summary>
    /// Removes the slot's entry, first thing when an install starts: from then on nothing boots the slot being written,
    /// whatever happens to its blocks.
    /// </summary>
    public void Remove(string slot)
    {
        var gone = Read().Where(e => e.Slot == slot).ToList();
        foreach (var e in gone) File.Delete(Path.Combine(Folder, e.Entry.FileName));
        if (gone.Count > 0) SyncFolder(Folder);
    }

    /// <summary>
    /// Puts the slot's kernel and first stage on the ESP (its own folder: the running slot's files are untouched). The
    /// slot's old files go first: its entry is gone since its install began, so nothing boots them, and the ESP has
    /// room for two slots' files, not for a third kernel beside them (found when the first stage grew and the fleet
    /// test's install ended in "No space left on device").
    /// </summary>
    public void WriteBootFiles(string slot, string kernel, string initrd)
    {
        if (Of(slot) is not null) throw new InvalidOperationException($"slot {slot} still has a boot entry: its boot files are in use");
        string folder = Path.Combine(EspRoot, "cpe", slot);
        if (Directory.Exists(folder) && Directory.GetFiles(folder) is { Length: > 0 } old)
        {
            foreach (var f in old) File.Delete(f);
            SyncFolder(folder);
        }
        Directory.CreateDirectory(folder);
        WriteAtomically(Path.Combine(folder, "vmlinuz"), File.ReadAllBytes(kernel));
        WriteAtomically(Path.Combine(folder, "initrd.img"), File.ReadAllBytes(initrd));
    }

    /// <summary>
    /// The slot is to be tried: an entry with <see cref="Tries"/> tries and the highest priority, so the loader boots it
    /// next and falls back to the other slot by itself once the tries are used up.
    /// </summary>
    public void Try(string slot, string firmwareVersion, VerityRoot verity)
    {
        Remove(slot);
        long priority = Read().Select(e => e.Priority).DefaultIfEmpty(0).Max() + 1;
        Write(new BootEntry(slot, Tries, null), BootEntry.Text(slot, firmwareVersion, priority, verity));
    }

    /// <summary>
    /// The running slot's entry rewritten when its text does not name the slot's kernel, version and verity root (an
    /// entry damaged by a power cut, or by hand): the slot that runs is bootable by definition, and its entry is what
    /// keeps it so. The root hash is the one the running kernel was given (so it is the one the slot's blocks
    /// matched). The name (its counter) is kept; the priority is its own when it reads, else above the other slot's.
    /// Returns whether it had to.
    /// </summary>
    public bool Repair(string slot, string firmwareVersion, VerityRoot verity)
    {
        if (Of(slot) is not { } current) return false;
        string path = Path.Combine(Folder, current.Entry.FileName);
        long priority = current.Priority > 0 ? current.Priority : Read().Where(e => e.Slot != slot).Select(e => e.Priority).DefaultIfEmpty(0).Max() + 1;
        string wanted = BootEntry.Text(slot, firmwareVersion, priority, verity);
        if (File.ReadAllText(path) == wanted) return false;
        WriteAtomically(path, System.Text.Encoding.UTF8.GetBytes(wanted));
        return true;
    }

    /// <summary>The slot passed its health check: its entry loses the counter (what systemd-bless-boot does).</summary>
    public void MarkGood(string slot)
    {
        var current = Of(slot) ?? throw new InvalidOperationException($"slot {slot} has no boot entry");
        if (current.Entry.Good) return;
        Rename(current.Entry, current.Entry with { TriesLeft = null, TriesDone = null });
    }

    /// <summary>The slot failed: no tries left, the loader skips it.</summary>
    public void MarkBad(string slot)
    {
        var current = Of(slot) ?? throw new InvalidOperationException($"slot {slot} has no boot entry");
        if (current.Entry.Bad) return;
        Rename(current.Entry, current.Entry with { TriesLeft = 0, TriesDone = (current.Entry.TriesDone ?? 0) + (current.Entry.TriesLeft ?? 0) });
    }

    /// <summary>The slot boots next (a rollback, or "reboot slot other"): its entry gets the highest priority, its state kept.</summary>
    public void Prefer(string slot)
    {
        var current = Of(slot) ?? throw new InvalidOperationException($"slot {slot} has no boot entry");
        long top = Read().Where(e => e.Slot != slot).Select(e => e.Priority).DefaultIfEmpty(0).Max();
        if (current.Priority > top) return;
        var verity = current.Verity ?? throw new InvalidOperationException($"slot {slot}'s boot entry carries no verity root: it cannot boot; install it again");
        Write(current.Entry, BootEntry.Text(slot, current.FirmwareVersion ?? "unknown", top + 1, verity));
    }

    void Write(BootEntry entry, string text)
    {
        Directory.CreateDirectory(Folder);
        WriteAtomically(Path.Combine(Folder, entry.FileName), System.Text.Encoding.UTF8.GetBytes(text));
    }

    void Rename(BootEntry from, BootEntry to)
    {
        string path = Path.Combine(Folder, to.FileName);
        File.Move(Path.Combine(Folder, from.FileName), path);
        SyncRenamed(path);
    }

    /// <summary>Temporary name (which the loader ignores: not *.conf), data synced, renamed over, folder synced.</summary>
    static void WriteAtomically(string path, byte[] bytes)
    {
        string temporary = path + ".new";
        try
        {
            using var f = new FileStream(temporary, FileMode.Create, FileAccess.Write);
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            File.Delete(temporary);   // a full ESP must not stay full of what failed to fit
            throw;
        }
        File.Move(temporary, path, overwrite: true);
        SyncRenamed(path);
    }

    /// <summary>
    /// A renamed file made durable under its new name: the file (on FAT its directory entry carries its first cluster
    /// and size, written back through the file, not the folder) and then the folder (the old name gone). Syncing only
    /// the folder left an entry renamed shortly before a power cut empty, and a box whose only good entry is empty
    /// does not boot (found by the power-cut test).
    /// </summary>
    static void SyncRenamed(string path)
    {
        Cpe.Interop.Files.SyncFile(path);
        SyncFolder(Path.GetDirectoryName(path)!);
    }

    static void SyncFolder(string folder) => Cpe.Interop.Files.SyncFolder(folder);
}
