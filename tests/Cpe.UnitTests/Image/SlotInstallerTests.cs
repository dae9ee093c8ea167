using Cpe.Image.Bundles;
using Cpe.Image.Install;
using Cpe.Image.Slots;
using Cpe.TestKit;

namespace Cpe.UnitTests.Image;

/// <summary>The installer against files standing in for the slots and a folder for the ESP (no root, no disk).</summary>
[Trait("Kind", "Unit")]
public sealed class SlotInstallerTests : IDisposable
{
    const int Chunk = BundleManifest.ChunkSize;
    static readonly BundleLab Lab = new();
    readonly TempFolder _dir = new("cpe-installer-");
    readonly byte[] _v1, _v2;
    readonly string _slotA, _slotB, _esp, _state;

    public SlotInstallerTests()
    {
        // v2's data differs from v1's in chunks 2 and 6 (the last, which also holds the verity tree, so it differs
        // anyway): an update should download those two and copy the rest from slot A.
        var data = new byte[6 * Chunk + 4321];
        new Random(1).NextBytes(data);
        _v1 = BundleLab.SlotImage(data);
        data[2 * Chunk + 10] ^= 0xff;
        data[6 * Chunk + 99] ^= 0xff;
        _v2 = BundleLab.SlotImage(data);
        _slotA = Path.Combine(_dir.Path, "slot-a");
        _slotB = Path.Combine(_dir.Path, "slot-b");
        _esp = Path.Combine(_dir.Path, "esp");
        _state = Path.Combine(_dir.Path, "state");
        File.WriteAllBytes(_slotA, [.. _v1, .. new byte[8 * Chunk - _v1.Length]]);
        File.WriteAllBytes(_slotB, new byte[8 * Chunk]);
        new BootEntries(_esp).Try("a", "1.0.0", BundleLab.Verity);
        new BootEntries(_esp).MarkGood("a");
    }

    sealed class FakeBootFiles : IBootFiles
    {
        public Task<(string Kernel, string Initrd)> ExtractAsync(string slotDevice, string folder, CancellationToken ct)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "vmlinuz"), "kernel of " + Path.GetFileName(slotDevice));
            File.WriteAllText(Path.Combine(folder, "initrd.img"), "initrd");
            return Task.FromResult((Path.Combine(folder, "vmlinuz"), Path.Combine(folder, "initrd.img")));
        }
    }

    /// <summary>A bundle in memory that can cut its stream after some bytes, and records every offset it is opened at.</summary>
    sealed class MemorySource(byte[] bundle) : IBundleSource
    {
        public List<long> Opens { get; } = [];
        public List<long?> Counts { get; } = [];
        public long? CutAfter { get; set; }
        long _read;
        public string Name => "memory";
        public long BytesRead => _read;

        public Task<(Stream Stream, long? Length)> OpenAsync(long offset, CancellationToken ct, long? count = null)
        {
            Opens.Add(offset);
            Counts.Add(count);
            long end = bundle.Length;
            if (count is long n) end = Math.Min(end, offset + n);
            if (CutAfter is long cut && cut > offset && cut < end)
            {
                end = cut;
                CutAfter = null;   // one cut, then the connection works again
            }
            var slice = new MemoryStream(bundle, (int)offset, (int)(end - offset), writable: false);
            _read += end - offset;
            return Task.FromResult<(Stream, long?)>((slice, bundle.Length));
        }

        public void Dispose() { }
    }

    SlotInstaller Installer(string floor = "1.0.0") => new(new SlotPaths("a", _slotA, "b", _slotB, 8L * Chunk), new BootEntries(_esp), new ImageState(_state),
        Lab.Trust, new InstallPolicy("cpe-lab-q35", FirmwareVersion.Parse(floor)), new FakeBootFiles(), "1.0.0", firstRetryDelay: TimeSpan.FromMilliseconds(1));

    byte[] SlotB(int length) => File.ReadAllBytes(_slotB)[..length];

    [Fact]
    public async Task An_update_copies_what_the_running_slot_has_downloads_the_rest_and_is_tried_next()
    {
        var bundle = Lab.Bundle(_v2);
        var source = new MemorySource(bundle);
        var report = await Installer().InstallAsync(source, "memory", reboot: false, CancellationToken.None);

        Assert.Equal(_v2, SlotB(_v2.Length));
        Assert.Equal((7, 0, 5, 2), (report.Chunks, report.ChunksResumed, report.ChunksReused, report.ChunksDownloaded));
        Assert.Equal(5L * Chunk, report.BytesReused);
        // Each download asks for its run of chunks only (here one chunk each), not the rest of the bundle.
        var head = await Lab.VerifyAsync(bundle);
        Assert.Equal([(head.ImageOffset + 2L * Chunk, Chunk), (head.ImageOffset + 6L * Chunk, _v2.Length - 6L * Chunk)],
            source.Opens.Zip(source.Counts).Where(o => o.First >= head.ImageOffset && o.First < head.ImageOffset + _v2.Length).Select(o => (o.First, o.Second)));
        var entries = new BootEntries(_esp).Read();
        var b = Assert.Single(entries, e => e.Slot == "b");
        Assert.Equal("cpe-b+3.conf", b.Entry.FileName);
        Assert.True(b.Priority > entries.Single(e => e.Slot == "a").Priority);
        Assert.Equal("2.0.0", b.FirmwareVersion);
        Assert.Equal("kernel of slot-b", File.ReadAllText(Path.Combine(_esp, "cpe", "b", "vmlinuz")));
        var state = new ImageState(_state);
        Assert.Equal("2.0.0", state.Slot("b")!.Version);
        Assert.Null(state.Pending);
        // The factory slot was read once, and what it holds recorded: the next update does not read it again.
        Assert.Equal(File.ReadAllBytes(_slotA).Chunk(Chunk).Select(c => ChunkHash.Of(c)), state.Chunks("a")!.Hashes);
    }

    [Fact]
    public async Task The_running_slot_s_recorded_chunk_list_stands_in_for_reading_it_and_a_wrong_list_only_costs_downloads()
    {
        // Slot A's first two chunks swapped on the disk, while its record says where its install put them: read, the
        // slot would offer both (at each other's place); going by the record, both fail their hash when copied.
        var bytes = File.ReadAllBytes(_slotA);
        var first = bytes[..Chunk];
        Array.Copy(bytes, Chunk, bytes, 0, Chunk);
        first.CopyTo(bytes, Chunk);
        File.WriteAllBytes(_slotA, bytes);
        var v1 = (await Lab.VerifyAsync(Lab.Bundle(_v1))).Manifest.Image;
        new ImageState(_state).SetChunks("a", new SlotChunks(v1.ChunkSize, v1.Chunks));

        var report = await Installer().InstallAsync(new MemorySource(Lab.Bundle(_v2)), "memory", reboot: false, CancellationToken.None);

        Assert.Equal(_v2, SlotB(_v2.Length));
        Assert.Equal((7, 0, 3, 4), (report.Chunks, report.ChunksResumed, report.ChunksReused, report.ChunksDownloaded));
        Assert.Equal((await Lab.VerifyAsync(Lab.Bundle(_v2))).Manifest.Image.Chunks, new ImageState(_state).Chunks("b")!.Hashes);   // kept for the next update
    }

    [Fact]
    public async Task The_bundle_file_s_sha256_is_checked_though_most_of_it_was_copied_from_the_running_slot()
    {
        var bundle = Lab.Bundle(_v2);
        string sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bundle));
        var report = await Installer().InstallAsync(new MemorySource(bundle), "memory", false, CancellationToken.None, bundleSha256: sha256);
        Assert.Equal(5, report.ChunksReused);
        Assert.NotNull(new BootEntries(_esp).Of("b"));

        // Another bundle of the same image (signed again, so its signature differs) is not the file that was asked for.
        new BootEntries(_esp).Remove("b");
        File.WriteAllBytes(_slotB, new byte[8 * Chunk]);
        var other = Lab.Bundle(_v2, BundleLab.Info("2.0.1"));
        var e = await Assert.ThrowsAsync<BundleRefusedException>(() =>
            Installer().InstallAsync(new MemorySource(other), "memory", false, CancellationToken.None, bundleSha256: sha256));
        Assert.Contains($"{sha256} was expected", e.Message);
        Assert.Null(new BootEntries(_esp).Of("b"));
    }

    [Theory]
    [InlineData("nfx-250", "1.0.0", "2.0.0", "this box is a nfx-250")]
    [InlineData("cpe-lab-q35", "3.0.0", "2.0.0", "below this box's anti-rollback floor 3.0.0")]
    [InlineData("cpe-lab-q35", "1.0.0", "1.0.0", "is the running version")]
    public async Task A_refused_bundle_never_touches_the_slot_or_its_entry(string board, string floor, string version, string reason)
    {
        new BootEntries(_esp).Try("b", "0.9.0", BundleLab.Verity);   // an old entry for B that must survive a refusal
        File.WriteAllBytes(_slotB, Enumerable.Repeat((byte)7, 8 * Chunk).ToArray());
        var installer = new SlotInstaller(new SlotPaths("a", _slotA, "b", _slotB, 8L * Chunk), new BootEntries(_esp), new ImageState(_state), Lab.Trust,
            new InstallPolicy(board, FirmwareVersion.Parse(floor)), new FakeBootFiles(), "1.0.0");
        var e = await Assert.ThrowsAsync<BundleRefusedException>(() =>
            installer.InstallAsync(new MemorySource(Lab.Bundle(_v2, BundleLab.Info(version))), "memory", false, CancellationToken.None));
        Assert.Contains(reason, e.Message);
        Assert.All(File.ReadAllBytes(_slotB), b => Assert.Equal(7, b));
        Assert.Equal("cpe-b+3.conf", new BootEntries(_esp).Of("b")!.Entry.FileName);
    }

    [Fact]
    public async Task Appended_bytes_or_a_truncated_bundle_are_refused_before_the_slot_is_touched()
    {
        var bundle = Lab.Bundle(_v2);
        foreach (var bad in new[] { [.. bundle, 0], bundle[..^1] })
        {
            var e = await Assert.ThrowsAsync<BundleRefusedException>(() => Installer().InstallAsync(new MemorySource(bad), "memory", false, CancellationToken.None));
            Assert.Matches("truncated|after its end", e.Message);
            Assert.All(File.ReadAllBytes(_slotB), b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public async Task A_changed_chunk_is_refused_and_the_slot_written_so_far_never_becomes_bootable()
    {
        var bundle = Lab.Bundle(_v2);
        var head = await Lab.VerifyAsync(bundle);
        bundle[head.ImageOffset + 6L * Chunk + 7] ^= 1;   // a chunk that must be downloaded
        var e = await Assert.ThrowsAsync<BundleRefusedException>(() => Installer().InstallAsync(new MemorySource(bundle), "memory", false, CancellationToken.None));
        Assert.Equal("image chunk 6 of 7 does not match its signed hash", e.Message);
        Assert.Null(new BootEntries(_esp).Of("b"));
        Assert.NotNull(new BootEntries(_esp).Of("a"));
    }

    [Fact]
    public async Task From_a_file_on_the_box_chunks_are_fetched_ahead_and_a_changed_one_is_still_refused_before_it_is_written()
    {
        // A file source is read two chunks ahead on other threads; the chunks after a changed one may already be fetched,
        // but nothing from the changed one on reaches the slot.
        string file = Path.Combine(_dir.Path, "v2.cpeu");
        var bundle = Lab.Bundle(_v2);
        var head = await Lab.VerifyAsync(bundle);
        bundle[head.ImageOffset + 2L * Chunk + 7] ^= 1;
        File.WriteAllBytes(file, bundle);
        var before = File.ReadAllBytes(_slotB);

        using (var source = new FileBundleSource(file))
        {
            var e = await Assert.ThrowsAsync<BundleRefusedException>(() => Installer().InstallAsync(source, file, false, CancellationToken.None));
            Assert.Equal("image chunk 2 of 7 does not match its signed hash", e.Message);
        }
        Assert.Equal(before.AsSpan(2 * Chunk).ToArray(), File.ReadAllBytes(_slotB).AsSpan(2 * Chunk).ToArray());
        Assert.Null(new BootEntries(_esp).Of("b"));

        bundle[head.ImageOffset + 2L * Chunk + 7] ^= 1;
        File.WriteAllBytes(file, bundle);
        using (var source = new FileBundleSource(file))
        {
            var report = await Installer().InstallAsync(source, file, false, CancellationToken.None);
            Assert.Equal((7, 2, 3, 2), (report.Chunks, report.ChunksResumed, report.ChunksReused, report.ChunksDownloaded));
        }
        Assert.Equal(_v2, SlotB(_v2.Length));
        Assert.NotNull(new BootEntries(_esp).Of("b"));
    }

    [Fact]
    public async Task A_cut_connection_resumes_at_the_chunk_it_was_in()
    {
        var bundle = Lab.Bundle(BundleLab.RandomImage(6 * Chunk + 4321, seed: 9));   // nothing to reuse: all downloaded
        var head = await Lab.VerifyAsync(bundle);
        var source = new MemorySource(bundle) { CutAfter = head.ImageOffset + 3L * Chunk + 1000 };
        var report = await Installer().InstallAsync(source, "memory", false, CancellationToken.None);
        Assert.Equal(7, report.ChunksDownloaded);
        Assert.Contains(head.ImageOffset + 3L * Chunk, source.Opens);   // the range request starts at chunk 3's first byte
    }

    [Fact]
    public async Task After_a_restart_the_install_resumes_at_the_first_chunk_the_slot_does_not_hold()
    {
        var image = BundleLab.RandomImage(6 * Chunk + 4321, seed: 9);
        var bundle = Lab.Bundle(image);
        var head = await Lab.VerifyAsync(bundle);
        // The first install dies in chunk 4 (the box lost power): its head is kept, chunks 0-3 are on the slot.
        var dying = new DyingSource(bundle, head.ImageOffset + 4L * Chunk + 100);
        await Assert.ThrowsAnyAsync<IOException>(() => Installer().InstallAsync(dying, "memory", false, CancellationToken.None));
        var pending = new ImageState(_state).Pending;
        Assert.NotNull(pending);
        Assert.Null(new BootEntries(_esp).Of("b"));

        var source = new MemorySource(bundle);
        var report = await Installer().ResumeAsync(pending, source, CancellationToken.None);
        Assert.Equal((4, 3), (report.ChunksResumed, report.ChunksDownloaded));
        Assert.Equal(head.ImageOffset + 4L * Chunk, source.Opens[0]);   // no head request: the kept head is verified again
        Assert.Equal(image, SlotB(image.Length));
        Assert.Equal("cpe-b+3.conf", new BootEntries(_esp).Of("b")!.Entry.FileName);
    }

    [Fact]
    public async Task The_head_is_read_in_growing_ranges_and_asks_for_nothing_past_the_largest_head()
    {
        var bundle = Lab.Bundle(_v2);
        var source = new MemorySource(bundle);
        await using var stream = await HeadStream.OpenAsync(source, CancellationToken.None, first: 1024);
        var head = await BundleHead.ReadAsync(stream, Lab.Trust, CancellationToken.None);
        Assert.Equal(bundle.Length, stream.BundleLength);
        Assert.Equal([0L, 1024, 2048], source.Opens);            // 1 KiB, then as much again as was read
        Assert.Equal([1024L, 1024, 2048], source.Counts);
        Assert.True(head.ImageOffset <= 4096);

        // The default asks for 64 KiB once: a manifest of a few KiB fits.
        var once = new MemorySource(bundle);
        await using (var s = await HeadStream.OpenAsync(once, CancellationToken.None)) await BundleHead.ReadAsync(s, Lab.Trust, CancellationToken.None);
        Assert.Equal([65536L], once.Counts);
    }

    /// <summary>Every stream ends at the same byte, however often it is opened: the power went out there.</summary>
    sealed class DyingSource(byte[] bundle, long end) : IBundleSource
    {
        public string Name => "dying";
        public long BytesRead => 0;
        public Task<(Stream Stream, long? Length)> OpenAsync(long offset, CancellationToken ct, long? count = null)
        {
            if (offset >= end) throw new IOException("no route to host");
            return Task.FromResult<(Stream, long?)>((new MemoryStream(bundle, (int)offset, (int)(end - offset), writable: false), bundle.Length));
        }
        public void Dispose() { }
    }

    public void Dispose() => _dir.Dispose();
}
