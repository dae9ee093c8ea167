using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cpe.Image.Slots;

/// <summary>What is installed in a slot, written when the install finishes (before its first boot).</summary>
public sealed record SlotRecord(string Slot, string Version, string MinimumVersion, DateTimeOffset InstalledAt, long ImageSize, string Sha256, string? Failure = null);

/// <summary>
/// The SHA-256 of each <paramref name="ChunkSize"/> piece a slot holds: its signed manifest's list when an install
/// wrote it, or what a scan of a factory slot found. The next update copies these chunks from the slot instead of
/// downloading them, without reading the whole slot first; each is hashed again as it is copied, so a list that is
/// wrong only costs downloads.
/// </summary>
public sealed record SlotChunks(int ChunkSize, string[] Hashes);

/// <summary>An install in progress: the verified head it resumes from, and where the bundle comes from.</summary>
public sealed record PendingInstall(string Slot, string Source, string ManifestBase64, string SignatureBase64, DateTimeOffset StartedAt, bool RebootWhenDone)
{
    /// <summary>The whole bundle file's SHA-256 the install was asked to match, when one was given.</summary>
    public string? BundleSha256 { get; init; }
}

/// <summary>Why a trying slot gave up (written by that slot before it reboots; read by the other after the fallback).</summary>
public sealed record FailedAttempt(string Slot, string Version, string Check, string Detail, string[] LogTail, DateTimeOffset At);

/// <summary>A fallback as the slot that runs again records it: console, show system software, the vendor server.</summary>
public sealed record Fallback(string FromSlot, string FromVersion, string ToSlot, string ToVersion, int Attempts, string Reason, string[] LogTail, DateTimeOffset At);

/// <summary>
/// The installer's and the boot assessment's records on the data partition (docs/reference/firmware-slots.md,
/// "State"): every file written whole (temporary name, fsync, rename), so a power cut leaves the old or the new.
/// </summary>
public sealed class ImageState(string folder)
{
    public string Folder { get; } = folder;

    public Bundles.FirmwareVersion Floor
    {
        get => File.Exists(Path("floor")) && Bundles.FirmwareVersion.TryParse(File.ReadAllText(Path("floor")).Trim(), out var v) ? v : Bundles.FirmwareVersion.Parse("0");
        set => Write("floor", System.Text.Encoding.UTF8.GetBytes(value + "\n"));
    }

    public SlotRecord? Slot(string slot) => Read($"slot-{slot}.json", ImageJson.Default.SlotRecord);
    public void SetSlot(SlotRecord record) => Write($"slot-{record.Slot}.json", JsonSerializer.SerializeToUtf8Bytes(record, ImageJson.Default.SlotRecord));
    public void ForgetSlot(string slot)
    {
        Delete($"slot-{slot}.json");
        Delete($"chunks-{slot}.json");
    }

    public SlotChunks? Chunks(string slot) => Read($"chunks-{slot}.json", ImageJson.Default.SlotChunks);
    public void SetChunks(string slot, SlotChunks chunks) => Write($"chunks-{slot}.json", JsonSerializer.SerializeToUtf8Bytes(chunks, ImageJson.Default.SlotChunks));

    public PendingInstall? Pending => Read("install.json", ImageJson.Default.PendingInstall);
    public void SetPending(PendingInstall? install)
    {
        if (install is null) Delete("install.json");
        else Write("install.json", JsonSerializer.SerializeToUtf8Bytes(install, ImageJson.Default.PendingInstall));
    }

    public FailedAttempt? Attempt(string slot) => Read($"attempt-{slot}.json", ImageJson.Default.FailedAttempt);
    public void SetAttempt(FailedAttempt attempt) => Write($"attempt-{attempt.Slot}.json", JsonSerializer.SerializeToUtf8Bytes(attempt, ImageJson.Default.FailedAttempt));
    public void ClearAttempt(string slot) => Delete($"attempt-{slot}.json");

    public Fallback? LastFallback => Read("last-fallback.json", ImageJson.Default.Fallback);
    public void SetLastFallback(Fallback fallback) => Write("last-fallback.json", JsonSerializer.SerializeToUtf8Bytes(fallback, ImageJson.Default.Fallback));

    string Path(string name) => System.IO.Path.Combine(Folder, name);

    T? Read<T>(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        // No test for existence first: an install or the boot assessment may remove the record between the test and the
        // read (image.status read slot-a.json as the install into slot a started, and failed). Absent is none; a
        // record that does not parse is as good as none too: the next write replaces it.
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(Path(name)), type); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException) { return null; }
    }

    void Write(string name, byte[] bytes)
    {
        Directory.CreateDirectory(Folder);
        string temporary = Path(name + ".new");
        using (var f = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path(name), overwrite: true);
        Cpe.Interop.Files.SyncFolder(Folder);
    }

    void Delete(string name)
    {
        if (!File.Exists(Path(name))) return;
        File.Delete(Path(name));
        Cpe.Interop.Files.SyncFolder(Folder);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SlotRecord))]
[JsonSerializable(typeof(SlotChunks))]
[JsonSerializable(typeof(PendingInstall))]
[JsonSerializable(typeof(FailedAttempt))]
[JsonSerializable(typeof(Fallback))]
internal sealed partial class ImageJson : JsonSerializerContext;
