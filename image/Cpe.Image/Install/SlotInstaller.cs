using System.Security.Cryptography;
using Cpe.Image.Bundles;
using Cpe.Image.Slots;

namespace Cpe.Image.Install;

/// <summary>The two slots as the installer sees them: the running one (read for chunk reuse) and the one it writes.</summary>
public sealed record SlotPaths(string Running, string RunningDevice, string Target, string TargetDevice, long SlotSize);

/// <summary>Where an install stands, for image.status and the console.</summary>
public sealed record InstallProgress(string State, string? Version, string Slot, int ChunksDone, int Chunks, long BytesDownloaded, long BytesReused, string? Error);

/// <summary>What a finished install did: how many chunks were already in place (resume), copied from the running slot, or downloaded.</summary>
public sealed record InstallReport(string Version, string Slot, int Chunks, int ChunksResumed, int ChunksReused, int ChunksDownloaded, long BytesDownloaded, long BytesReused, TimeSpan Elapsed);

/// <summary>
/// Installs a bundle into the inactive slot (docs/reference/firmware-slots.md, "Install"). Refuses before touching the
/// slot: a bad signature or signer, a manifest that does not hold, another board, a version below the floor, an image
/// larger than the slot, a bundle whose length is wrong. Then removes the slot's boot entry (nothing boots a slot being
/// written), writes chunk by chunk (each checked against its signed hash), resuming at the first chunk the slot does not
/// already hold and copying chunks the running slot has instead of downloading them; reads the slot back against the
/// whole-image hash; checks the bundle's end; only then writes the slot's boot files and an entry to try.
/// </summary>
public sealed class SlotInstaller(SlotPaths slots, BootEntries entries, ImageState state, FirmwareTrust trust, InstallPolicy policy,
    IBootFiles bootFiles, string runningVersion, Action<string>? say = null, TimeSpan? firstRetryDelay = null)
{
    readonly TimeSpan _firstRetry = firstRetryDelay ?? TimeSpan.FromSeconds(1);
    const int Retries = 5;
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
        var counts = await WriteChunksAsync(head, source, ct);
        _progress = _progress with { State = "checking" };
        await ReadBackAsync(head, bundleSha256, ct);
        var (tail, _) = await source.OpenAsync(head.ImageOffset + m.Image.Size, ct);
        await using (tail) await head.ReadTrailerAsync(tail, ct);

        _progress = _progress with { State = "boot-files" };
        string work = Path.Combine(state.Folder, "boot-" + slots.Target);
        var (kernel, initrd) = await bootFiles.ExtractAsync(slots.TargetDevice, work, ct);
        entries.WriteBootFiles(slots.Target, kernel, initrd);
        Directory.Delete(work, recursive: true);
        state.SetSlot(new SlotRecord(slots.Target, m.Version, m.MinimumVersion, DateTimeOffset.UtcNow, m.Image.Size, m.Image.Sha256));
        entries.Try(slots.Target, m.Version, m.Verity);
        state.SetPending(null);
        _progress = _progress with { State = "installed" };
        var report = new InstallReport(m.Version, slots.Target, m.Image.Chunks.Length, counts.Resumed, counts.Reused, counts.Downloaded,
            source.BytesRead, counts.ReusedBytes, DateTime.UtcNow - started);
        say?.Invoke($"firmware {m.Version} installed in slot {slots.Target}: {report.ChunksDownloaded} chunks downloaded ({report.BytesDownloaded} bytes), " +
            $"{report.ChunksReused} copied from slot {slots.Running} ({report.BytesReused} bytes), {report.ChunksResumed} already in place");
        return report;
    }

    record struct Counts(int Resumed, int Reused, int Downloaded, long ReusedBytes);

    async Task<Counts> WriteChunksAsync(BundleHead head, IBundleSource source, CancellationToken ct)
    {
        var image = head.Manifest.Image;
        var buffer = new byte[image.ChunkSize];
        await using var target = new FileStream(slots.TargetDevice, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1 << 16);
        // Resume at the first chunk the slot does not already hold, checked on the disk itself (never a saved offset).
        int first = 0;
        while (first < image.Chunks.Length && await MatchesAsync(target, image, first, buffer, ct)) first++;
        var counts = new Counts(first, 0, 0, 0);
        var reusable = await RunningChunksAsync(image, first, ct);
        await using var running = new FileStream(slots.RunningDevice, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);

        Stream? download = null;
        long downloadAt = -1;
        try
        {
            for (int i = first; i < image.Chunks.Length; i++)
            {
                int length = (int)image.ChunkLength(i);
                if (reusable.TryGetValue(image.Chunks[i], out long from))
                {
                    running.Position = from;
                    await running.ReadExactlyAsync(buffer.AsMemory(0, length), ct);
                    if (ChunkHash.Matches(image, i, buffer.AsSpan(0, length)))
                    {
                        await WriteAsync(target, (long)i * image.ChunkSize, buffer, length, ct);
                        SyncNow(target, i + 1);
                        counts = counts with { Reused = counts.Reused + 1, ReusedBytes = counts.ReusedBytes + length };
                        Report(i + 1, source, counts);
                        continue;
                    }
                }
                long at = head.ImageOffset + (long)i * image.ChunkSize;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        if (download is null || downloadAt != at)
                        {
                            if (download is not null) await download.DisposeAsync();
                            download = null;
                            // Bounded to the run of chunks that must be downloaded from here: a server does not send
                            // (and a metered link does not pay for) what the running slot already has.
                            (download, _) = await source.OpenAsync(at, ct, RunBytes(image, i, reusable));
                            downloadAt = at;
                        }
                        int got = await download.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct);
                        downloadAt += got;
                        if (got < length) throw new IOException($"the download ended in chunk {i} of {image.Chunks.Length}");
                        break;
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException && attempt < Retries && !ct.IsCancellationRequested)
                    {
                        say?.Invoke($"download of chunk {i} failed ({e.Message}); resuming at chunk {i} (attempt {attempt + 1} of {Retries})");
                        if (download is not null) await download.DisposeAsync();
                        download = null;
                        await Task.Delay(_firstRetry * Math.Min(8, 1 << (attempt - 1)), ct);
                    }
                }
                if (!ChunkHash.Matches(image, i, buffer.AsSpan(0, length)))
                    throw new BundleRefusedException($"image chunk {i} of {image.Chunks.Length} does not match its signed hash");
                await WriteAsync(target, (long)i * image.ChunkSize, buffer, length, ct);
                target.Flush(flushToDisk: true);   // a downloaded chunk is never downloaded twice, whatever happens next
                counts = counts with { Downloaded = counts.Downloaded + 1 };
                Report(i + 1, source, counts);
            }
        }
        finally
        {
            if (download is not null) await download.DisposeAsync();
        }
        target.Flush(flushToDisk: true);
        return counts;
    }

    /// <summary>The bytes of chunk <paramref name="first"/> and the chunks after it up to the next one the running slot has.</summary>
    static long RunBytes(SlotImage image, int first, Dictionary<string, long> reusable)
    {
        long bytes = 0;
        for (int i = first; i < image.Chunks.Length && (i == first || !reusable.ContainsKey(image.Chunks[i])); i++) bytes += image.ChunkLength(i);
        return bytes;
    }

    void Report(int done, IBundleSource source, Counts counts) =>
        _progress = _progress with { ChunksDone = done, BytesDownloaded = source.BytesRead, BytesReused = counts.ReusedBytes };

    /// <summary>
    /// Chunks copied from the running slot are synced every <see cref="SyncEvery"/>, so that a power cut loses at most
    /// that much local copying; downloaded chunks are synced one by one (the network is the slow, costly part).
    /// </summary>
    const int SyncEvery = 8;

    static void SyncNow(FileStream target, int written)
    {
        if (written % SyncEvery == 0) target.Flush(flushToDisk: true);
    }

    static async Task WriteAsync(FileStream target, long offset, byte[] buffer, int length, CancellationToken ct)
    {
        target.Position = offset;
        await target.WriteAsync(buffer.AsMemory(0, length), ct);
    }

    static async Task<bool> MatchesAsync(FileStream slot, SlotImage image, int index, byte[] buffer, CancellationToken ct)
    {
        int length = (int)image.ChunkLength(index);
        slot.Position = (long)index * image.ChunkSize;
        int got = await slot.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct);
        return got == length && ChunkHash.Matches(image, index, buffer.AsSpan(0, length));
    }

    /// <summary>The chunks (by hash) the running slot holds that the new image needs from <paramref name="first"/> on, and where.</summary>
    async Task<Dictionary<string, long>> RunningChunksAsync(SlotImage image, int first, CancellationToken ct)
    {
        var needed = image.Chunks.Skip(first).ToHashSet(StringComparer.Ordinal);
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        long size = state.Slot(slots.Running)?.ImageSize ?? slots.SlotSize;
        await using var running = new FileStream(slots.RunningDevice, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var buffer = new byte[image.ChunkSize];
        for (long offset = 0; offset < size; offset += image.ChunkSize)
        {
            int length = (int)Math.Min(image.ChunkSize, size - offset);
            int got = await running.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct);
            if (got == 0) break;
            string hash = ChunkHash.Of(buffer.AsSpan(0, got));
            if (needed.Contains(hash)) found.TryAdd(hash, offset);
        }
        // The new image's short last chunk, where the running slot has the same bytes at the same place.
        int last = image.Chunks.Length - 1;
        long lastLength = image.ChunkLength(last);
        if (last >= first && lastLength < image.ChunkSize)
        {
            running.Position = (long)last * image.ChunkSize;
            int got = await running.ReadAtLeastAsync(buffer.AsMemory(0, (int)lastLength), (int)lastLength, throwOnEndOfStream: false, ct);
            if (got == lastLength && ChunkHash.Matches(image, last, buffer.AsSpan(0, got))) found.TryAdd(image.Chunks[last], running.Position - got);
        }
        return found;
    }

    /// <summary>
    /// The slot as the disk now holds it must be the signed image: a write lost in a power cut shows here. When the
    /// bundle file's SHA-256 is expected, the same pass hashes the file the bundle is (its canonical head, the image,
    /// its zero end).
    /// </summary>
    async Task ReadBackAsync(BundleHead head, string? bundleSha256, CancellationToken ct)
    {
        var image = head.Manifest.Image;
        await using var slot = new FileStream(slots.TargetDevice, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var file = bundleSha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        file?.AppendData(BundleArchive.Head(head.ManifestJson, head.Signature, image.Size));
        var buffer = new byte[image.ChunkSize];
        for (int i = 0; i < image.Chunks.Length; i++)
        {
            int length = (int)image.ChunkLength(i);
            await slot.ReadExactlyAsync(buffer.AsMemory(0, length), ct);
            if (!ChunkHash.Matches(image, i, buffer.AsSpan(0, length)))
                throw new BundleRefusedException($"slot {slots.Target} does not read back as signed at chunk {i}");
            whole.AppendData(buffer, 0, length);
            file?.AppendData(buffer, 0, length);
        }
        if (Convert.ToHexStringLower(whole.GetHashAndReset()) != image.Sha256)
            throw new BundleRefusedException($"slot {slots.Target} does not read back as the signed image");
        if (file is null) return;
        file.AppendData(new byte[BundleArchive.TrailerLength(image.Size)]);
        string actual = Convert.ToHexStringLower(file.GetHashAndReset());
        if (actual != bundleSha256)
            throw new BundleRefusedException($"it is not the bundle that was asked for: its SHA-256 is {actual}, {bundleSha256} was expected");
    }
}
