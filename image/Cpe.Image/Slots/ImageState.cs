using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cpe.Image.Slots;

/// <summary>What is installed in a slot, written when the install finishes (before its first boot).</summary>
public sealed record SlotRecord(string Slot, string Version, string MinimumVersion, DateTimeOffset InstalledAt, long ImageSize, string Sha256, string? Failure = null);

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
    public void ForgetSlot(string slot) => Delete($"slot-{slot}.json");

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
        try { return File.Exists(Path(name)) ? JsonSerializer.Deserialize(File.ReadAllBytes(Path(name)), type) : null; }
        catch (JsonException) { return null; }   // a record that does not parse is as good as none: the next write replaces it
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
[JsonSerializable(typeof(PendingInstall))]
[JsonSerializable(typeof(FailedAttempt))]
[JsonSerializable(typeof(Fallback))]
internal sealed partial class ImageJson : JsonSerializerContext;
