using Cpe.Image.Bundles;
using Microsoft.Win32.SafeHandles;
using Cpe.Image.Slots;

namespace Cpe.Image.Install;

/// <summary>The two slots as the installer sees them: the running one (read for chunk reuse) and the one it writes.</summary>
public sealed record SlotPaths(string Running, string RunningDevice, string Target, string TargetDevice, long SlotSize);

/// <summary>Where an install stands, for image.status and the console.</summary>
public sealed record InstallProgress(string State, string? Version, string Slot, int ChunksDone, int Chunks, long BytesDownloaded, long BytesReused, string? Error)
{
    /// <summary>How long writing the slot and checking its hashes took, once they passed.</summary>
    public TimeSpan? Written { get; init; }
}

/// <summary>What a finished install did: how many chunks were already in place (resume), copied from the running slot, or downloaded.</summary>
public sealed record InstallReport(string Version, string Slot, int Chunks, int ChunksResumed, int ChunksReused, int ChunksDownloaded, long BytesDownloaded, long BytesReused, TimeSpan Elapsed);

/// <summary>
/// Installs a bundle into the inactive slot (docs/reference/firmware-slots.md, "Install"). Refuses before touching the
/// slot: a bad signature or signer, a manifest that does not hold, another board, a version below the floor, an image
/// larger than the slot, a bundle whose length is wrong. Then removes the slot's boot entry (nothing boots a slot being
/// written), writes chunk by chunk (each checked against its signed hash), resuming at the first chunk the slot does not
/// already hold and copying chunks the running slot has instead of downloading them; checks the bundle's end (and, when
/// asked, the whole bundle file's hash); only then writes the slot's boot files and an entry to try.
/// </summary>
public sealed class SlotInstaller(SlotPaths slots, BootEntries entries, ImageState state, FirmwareTrust trust, InstallPolicy policy,
    IBootFiles bootFiles, string runningVersion, Action<string>? say = null, TimeSpan? firstRetryDelay = null)
{
    readonly TimeSpan _firstRetry = firstRetryDelay ?? TimeSpan.FromSeconds(1);
    InstallProgress _progress = new("idle", null, slots.Target, 0, 0, 0, 0, null);

    public InstallProgress Progress => _progress;

    /// <summary>A new install from <paramref name="source"/>; <paramref name="sourceName"/> is what a resume after a restart opens again.</summary>
    /// <param name="admitted">Called once the bundle passed every check that comes before touching the slot.</param>
    /// <param name="bundleSha256">
    /// The SHA-256 of the whole bundle file that whoever asked for it was told (the signed onboarding information or
    /// check-in answer): checked before the slot is tried, without downloading what the running slot already has.
    /// </param>
    public async Task<InstallReport> InstallAsync(IBundleSource source, string sourceName, bool reboot, CancellationToken ct,
        Action<BundleManifest>? admitted = null, string? bundleSha256 = null)
    {
        if (bundleSha256 is not null && (bundleSha256.Length != 64 || !bundleSha256.All(char.IsAsciiHexDigitLower)))
            throw new BundleRefusedException($"the expected SHA-256 '{bundleSha256}' is not 64 lower-case hex digits");
        var started = DateTime.UtcNow;
        _progress = _progress with { State = "verifying", Error = null };
        // The head only: the chunks come in their own Range requests, after the ones already here or in the running slot.
        var stream = await HeadStream.OpenAsync(source, ct);
        BundleHead head;
        try
        {
            head = await BundleHead.ReadAsync(stream, trust, ct);
            Admit(head, stream.BundleLength);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
        await stream.DisposeAsync();
        admitted?.Invoke(head.Manifest);
        // From here on the slot is being written: nothing may boot it until it is whole and checked.
        entries.Remove(slots.Target);
        state.ForgetSlot(slots.Target);
        state.SetPending(new PendingInstall(slots.Target, sourceName, Convert.ToBase64String(head.ManifestJson), Convert.ToBase64String(head.Signature), DateTimeOffset.UtcNow, reboot)
        { BundleSha256 = bundleSha256 });
        return await FinishAsync(head, source, bundleSha256, started, ct);
    }

    /// <summary>Goes on with the install <paramref name="pending"/> after a restart or reboot: the kept head is verified again first.</summary>
    public async Task<InstallReport> ResumeAsync(PendingInstall pending, IBundleSource source, CancellationToken ct)
    {
        var head = BundleHead.Verify(Convert.FromBase64String(pending.ManifestBase64), Convert.FromBase64String(pending.SignatureBase64), trust);
        Admit(head, null);
        return await FinishAsync(head, source, pending.BundleSha256, DateTime.UtcNow, ct);
    }

    void Admit(BundleHead head, long? length)
    {
        var m = head.Manifest;
        policy.Check(m);
        if (m.ParsedVersion.Equals(FirmwareVersion.Parse(runningVersion)))
            throw new BundleRefusedException($"version {m.Version} is the running version");
        if (m.Image.Size > slots.SlotSize) throw new BundleRefusedException($"its image is {m.Image.Size} bytes, more than slot {slots.Target}'s {slots.SlotSize}");
        if (length is long l && l != head.BundleLength)
            throw new BundleRefusedException(l < head.BundleLength ? $"it is truncated: {l} bytes of {head.BundleLength}" : $"it has {l - head.BundleLength} bytes after its end");
    }

    async Task<InstallReport> FinishAsync(BundleHead head, IBundleSource source, string? bundleSha256, DateTime started, CancellationToken ct)
    {
        var m = head.Manifest;
        _progress = new InstallProgress("writing", m.Version, slots.Target, 0, m.Image.Chunks.Length, 0, 0, null);
        var writing = System.Diagnostics.Stopwatch.StartNew();
        var counts = await WriteChunksAsync(head, source, bundleSha256, ct);
        say?.Invoke($"slot {slots.Target} written and checked: {m.Image.Chunks.Length} chunks ({m.Image.Size} bytes) in {writing.Elapsed.TotalSeconds:0.00} s " +
            $"({m.Image.Size / 1048576.0 / writing.Elapsed.TotalSeconds:0.0} MiB/s)");
        _progress = _progress with { State = "checking", Written = writing.Elapsed };
        var (tail, _) = await source.OpenAsync(head.ImageOffset + m.Image.Size, ct);
        await using (tail) await head.ReadTrailerAsync(tail, ct);

        _progress = _progress with { State = "boot-files" };
        string work = Path.Combine(state.Folder, "boot-" + slots.Target);
        var (kernel, initrd) = await bootFiles.ExtractAsync(slots.TargetDevice, work, ct);
        entries.WriteBootFiles(slots.Target, kernel, initrd);
        Directory.Delete(work, recursive: true);
        state.SetChunks(slots.Target, new SlotChunks(m.Image.ChunkSize, m.Image.Chunks));
        state.SetSlot(new SlotRecord(slots.Target, m.Version, m.MinimumVersion, DateTimeOffset.UtcNow, m.Image.Size, m.Image.Sha256));
        entries.Try(slots.Target, m.Version, m.Verity);
        state.SetPending(null);
        _progress = _progress with { State = "installed" };
        var report = new InstallReport(m.Version, slots.Target, m.Image.Chunks.Length, counts.Resumed, counts.Reused, counts.Downloaded,
            source.BytesRead, counts.ReusedBytes, DateTime.UtcNow - started);
        say?.Invoke($"firmware {m.Version} installed in slot {slots.Target} in {report.Elapsed.TotalSeconds:0.0} s: {report.ChunksDownloaded} chunks downloaded ({report.BytesDownloaded} bytes), " +
            $"{report.ChunksReused} copied from slot {slots.Running} ({report.BytesReused} bytes), {report.ChunksResumed} already in place");
        return report;
    }

    record struct Counts(int Resumed, int Reused, int Downloaded, long ReusedBytes);

    /// <summary>
    /// Writes every chunk the slot does not hold yet, each checked against its signed hash first (and, when the caller
    /// named one, hashes the whole bundle file on the way: <see cref="ChunkBuffers"/>).
    /// </summary>
    async Task<Counts> WriteChunksAsync(BundleHead head, IBundleSource source, string? bundleSha256, CancellationToken ct)
    {
        var image = head.Manifest.Image;
        using var buffers = new ChunkBuffers(head, bundleSha256);
        await using var target = new SlotWriter(slots.TargetDevice);
        // Resume at the first chunk the slot does not already hold, checked on the disk itself (never a saved offset).
        int first = 0;
        while (first < image.Chunks.Length && await HoldsAsync(target.Handle, (long)first * image.ChunkSize, image, first, await buffers.ForAsync(first), ct))
        {
            buffers.Laid(first++);
            _progress = _progress with { ChunksDone = first };   // a resume shows what the slot already holds as it is found
        }
        var counts = new Counts(first, 0, 0, 0);
        var reusable = await RunningChunksAsync(image, first, ct);
        await using var fetcher = new ChunkFetcher(head, source, slots.RunningDevice, reusable, _firstRetry, say);
        bool local = source is ILocalBundleSource;

        // Up to FetchAhead chunks after the one being written are fetched and checked on other threads (four, so that
        // the disk's reads and the slot's writes, DMA around the page cache, stay ahead of the hashing), when fetching
        // them costs nothing to redo: the running slot lists them, or the source is a file on the box. A chunk to download is fetched only once the one before it is
        // synced, so a power cut does not cost a download (unless the running slot no longer reads as its list says,
        // and a chunk fetched ahead had to be downloaded after all). On one CPU too: the hashing then overlaps the
        // disk's reads and the syncs.
        var fetches = new Queue<(Memory<byte> Buffer, Task<bool> Copied)>();
        int started = first;
        try
        {
            for (int i = first; i < image.Chunks.Length; i++)
            {
                while (started < image.Chunks.Length && started <= i + FetchAhead && (started == i || local || fetcher.InRunningSlot(started)))
                {
                    int index = started++;
                    var buffer = await buffers.ForAsync(index);
                    fetches.Enqueue((buffer, index == i ? fetcher.FetchAsync(index, buffer, ct) : Task.Run(() => fetcher.FetchAsync(index, buffer, ct), ct)));
                }
                var (chunk, fetch) = fetches.Dequeue();
                bool copied = await fetch;
                int length = (int)image.ChunkLength(i);
                await target.WriteAsync((long)i * image.ChunkSize, chunk[..length], ct);
                buffers.Laid(i);
                if (copied || local) SyncNow(target, i + 1);
                else target.Sync();
                counts = copied ? counts with { Reused = counts.Reused + 1, ReusedBytes = counts.ReusedBytes + length }
                    : counts with { Downloaded = counts.Downloaded + 1 };
                Report(i + 1, source, counts);
            }
        }
        finally
        {
            // Chunks fetched ahead of one that failed: a download stream closes only after its read ends.
            foreach (var (_, fetch) in fetches) try { await fetch; } catch (Exception) { }
        }
        target.Sync();
        await buffers.CheckAsync();
        return counts;
    }

    /// <summary>How many chunks after the one being written may be in flight; <see cref="ChunkBuffers.Count"/> leaves room for them.</summary>
    const int FetchAhead = ChunkBuffers.Count - 2;

    void Report(int done, IBundleSource source, Counts counts) =>
        _progress = _progress with { ChunksDone = done, BytesDownloaded = source.BytesRead, BytesReused = counts.ReusedBytes };

    /// <summary>
    /// Chunks copied from the running slot or read from a local file are synced every <see cref="SyncEvery"/>, so that
    /// a power cut loses at most that much local copying; downloaded chunks are synced one by one (the network is the
    /// slow, costly part).
    /// </summary>
    const int SyncEvery = 8;

    static void SyncNow(SlotWriter target, int written)
    {
        if (written % SyncEvery == 0) target.Sync();
    }

    /// <summary>
    /// Whether <paramref name="file"/> holds chunk <paramref name="index"/> of <paramref name="image"/> at
    /// <paramref name="offset"/> (read into <paramref name="buffer"/>): the slot being resumed, or the running slot a
    /// chunk is copied from.
    /// </summary>
    internal static async Task<bool> HoldsAsync(SafeFileHandle file, long offset, SlotImage image, int index, Memory<byte> buffer, CancellationToken ct)
    {
        int length = (int)image.ChunkLength(index);
        return await FileReads.FillAsync(file, offset, buffer[..length], ct) == length && ChunkHash.Matches(image, index, buffer.Span[..length]);
    }

    /// <summary>
    /// The chunks (by hash) the running slot holds that the new image needs from <paramref name="first"/> on, and where:
    /// from its recorded chunk list (<see cref="SlotChunks"/>), or, for a slot written at the factory, by reading and
    /// hashing it once and recording what was found.
    /// </summary>
    async Task<Dictionary<string, long>> RunningChunksAsync(SlotImage image, int first, CancellationToken ct)
    {
        var needed = image.Chunks.Skip(first).ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var running = new FileStream(slots.RunningDevice, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var buffer = new byte[image.ChunkSize];
        var known = state.Chunks(slots.Running) is { } recorded && recorded.ChunkSize == image.ChunkSize ? recorded.Hashes : null;
        if (known is null)
        {
            var scanned = new List<string>();
            long size = state.Slot(slots.Running)?.ImageSize ?? slots.SlotSize;
            for (long offset = 0; offset < size; offset += image.ChunkSize)
            {
                int length = (int)Math.Min(image.ChunkSize, size - offset);
                int got = await running.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct);
                if (got == 0) break;
                scanned.Add(ChunkHash.Of(buffer.AsSpan(0, got)));
            }
            known = [.. scanned];
            state.SetChunks(slots.Running, new SlotChunks(image.ChunkSize, known));
        }
        for (int i = 0; i < known.Length; i++)
            if (needed.Contains(known[i])) found.TryAdd(known[i], (long)i * image.ChunkSize);
        // The new image's short last chunk, where the running slot has the same bytes at the same place.
        int last = image.Chunks.Length - 1;
        long lastLength = image.ChunkLength(last);
        if (last >= first && lastLength < image.ChunkSize && await HoldsAsync(running.SafeFileHandle, (long)last * image.ChunkSize, image, last, buffer, ct))
            found.TryAdd(image.Chunks[last], (long)last * image.ChunkSize);
        return found;
    }
}
