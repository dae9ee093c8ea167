using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// A download cut twice: the server drops the connection at 30 % of what the box must download, the box loses power
/// right then and boots again, resumes by itself, and the server drops it again at 70 %. The access log shows each
/// resume as a Range request at the first chunk the slot does not hold (read off the disk between the two boots),
/// never from the start and never at an offset inside a chunk.
/// </summary>
[Trait("Kind", "Image")]
public sealed partial class ImageDownloadCutTests(ITestOutputHelper output) : IDisposable
{
    const int Chunk = 1 << 20;
    readonly TempFolder _dir = new("cpe-image-dlcut-");

    static string[] ChunkHashes(string file, long offset, long length)
    {
        using var f = File.OpenRead(file);
        f.Position = offset;
        var hashes = new List<string>();
        var buffer = new byte[Chunk];
        for (long done = 0; done < length; done += Chunk)
        {
            int n = (int)Math.Min(Chunk, length - done);
            f.ReadExactly(buffer, 0, n);
            hashes.Add(Convert.ToHexString(SHA256.HashData(buffer.AsSpan(0, n))));
        }
        return [.. hashes];
    }

    [Fact]
    public async Task A_download_cut_at_30_and_70_percent_with_a_power_cut_between_resumes_each_time_at_the_first_chunk_not_on_disk()
    {
        string bundle = FirmwareBuild.Padded("2.5.0");
        string rootfs = Path.Combine(Path.GetDirectoryName(bundle)!, "cpe-firmware-2.5.0.rootfs.img");
        long imageSize = new FileInfo(rootfs).Length;
        long imageOffset = new FileInfo(bundle).Length - imageSize - Cpe.Image.Bundles.BundleArchive.TrailerLength(imageSize);
        var wanted = ChunkHashes(rootfs, 0, imageSize);
        var v1 = ChunkHashes(Path.ChangeExtension(Binaries.FirmwareBundle("1.0.0"), null) + ".rootfs.img", 0, new FileInfo(Path.ChangeExtension(Binaries.FirmwareBundle("1.0.0"), null) + ".rootfs.img").Length).ToHashSet();
        // What the box must download: the chunks slot A does not hold.
        int[] download = Enumerable.Range(0, wanted.Length).Where(i => !v1.Contains(wanted[i])).ToArray();
        output.WriteLine($"2.5.0: {wanted.Length} chunks, {download.Length} to download: {string.Join(",", download)}");
        Assert.True(download.Length >= 6, "the test firmware must differ in enough chunks to cut twice");
        int at30 = download[download.Length * 3 / 10], at70 = download[download.Length * 7 / 10];
        long Offset(int chunk) => imageOffset + (long)chunk * Chunk;
        // The box asks for each run of consecutive chunks to download in one Range request: the cut goes in that one.
        int RunStart(int chunk)
        {
            while (download.Contains(chunk - 1)) chunk--;
            return chunk;
        }

        using var server = new RangeFileServer(Path.GetDirectoryName(bundle)!);
        string url = $"http://10.0.2.2:{server.Port}/{Path.GetFileName(bundle)}";
        string disk = ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path);
        var cut30 = server.CutAt(Offset(at30) + Chunk / 2, thenHold: true, requestStart: Offset(RunStart(at30)));
        var box = await ImageMachine.StartAsync(disk, _dir.Path, wan: "user,id=wan");
        try
        {
            await box.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            await box.TypeAsync($"request system software add {url}");
            output.WriteLine("cut at 30 %: " + await cut30.WaitAsync(TimeSpan.FromSeconds(300)));
            // The box asks again at the chunk it was in (and gets no answer): what it wrote before is whole. Power off.
            string retry = await server.FirstHeld.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine("the box asked again: " + retry);
            Assert.Equal(Offset(at30), long.Parse(RangeStart().Match(retry).Groups[1].Value));
        }
        finally { await box.PowerCutAsync(); output.WriteLine(box.Console); }

        // Between the boots: the first chunk of the new image that slot B (at 81 MiB on the disk) does not hold.
        var slotB = ChunkHashes(disk, 81L << 20, imageSize);
        int firstMissing = Enumerable.Range(0, wanted.Length).First(i => slotB[i] != wanted[i]);
        output.WriteLine($"after the power cut slot B holds chunks 0..{firstMissing - 1}; the cut was in chunk {at30}");
        Assert.Equal(at30, firstMissing);   // every chunk downloaded before the cut was synced; the cut one was not whole
        int before = server.AccessLog.Count;
        server.Release();

        var cut70 = server.CutAt(Offset(at70) + Chunk / 2, requestStart: Offset(RunStart(at70)));
        await using var again = await ImageMachine.StartAsync(disk, _dir.Path, wan: "user,id=wan");
        try
        {
            output.WriteLine("cut at 70 %: " + await cut70.WaitAsync(TimeSpan.FromSeconds(300)));
            await again.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            string software = await again.RunUntilAsync("show system software", "trying", TimeSpan.FromSeconds(300));
            output.WriteLine(software);
            Assert.Matches(@"b\s+trying\s+2\.5\.0", software);
        }
        finally { output.WriteLine(again.Console); }

        var log = server.AccessLog;
        output.WriteLine(string.Join("\n", log));
        var starts = log.Skip(before).Where(l => l.StartsWith("GET", StringComparison.Ordinal)).Select(l => RangeStart().Match(l)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value)).ToList();
        // After the reboot: no head (the kept one is verified again), the first Range at the chunk found missing on the
        // disk, and after the second cut a Range at the chunk it was in; every chunk Range on a chunk boundary.
        Assert.Equal(Offset(firstMissing), starts[0]);
        Assert.Contains(Offset(at70), starts);
        Assert.All(starts.Where(s => s < imageOffset + imageSize), s => Assert.Equal(0, (s - imageOffset) % Chunk));
        long downloaded = log.Where(l => l.StartsWith("GET", StringComparison.Ordinal)).Sum(l => long.Parse(l[(l.LastIndexOf('=') + 1)..]));
        output.WriteLine($"{downloaded} bytes sent in all for a bundle of {new FileInfo(bundle).Length}");
    }

    [GeneratedRegex(@"range=bytes=(\d+)-")]
    private static partial Regex RangeStart();

    public void Dispose() => _dir.Dispose();
}
