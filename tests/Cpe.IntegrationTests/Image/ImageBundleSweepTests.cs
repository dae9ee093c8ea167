using System.Text.RegularExpressions;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// The box itself, booted under QEMU, offered 500 damaged copies of a signed bundle over HTTP from its console: single
/// bytes changed all over the head (member headers, manifest, signature, padding), in the image and in the end blocks,
/// the bundle cut short at many lengths and grown by appended bytes. Every one is refused, by the check that should
/// catch it (the head's before the slot is touched, a chunk's hash while writing), and the slot being written never gets
/// a boot entry. The bundles are small (3 chunks of random bytes) so that 500 installs take minutes, not hours; the
/// undamaged copy passes every check and fails only where random bytes are not a slot (its boot files), which shows
/// that the damaged ones failed on their damage.
/// </summary>
[Trait("Kind", "Image")]
public sealed partial class ImageBundleSweepTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-sweep-");

    /// <summary>A damaged bundle, made when the box asks for it (500 copies held at once would take over 1 GB).</summary>
    sealed record Variant(string Kind, string What, Func<byte[]> Make);

    /// <summary>A signed 9.0.0 bundle of 2½ MiB of random bytes and their verity tree (3 chunks), and where its image starts and ends.</summary>
    (byte[] Bundle, long ImageOffset, long ImageEnd) Signed(string name, Random random)
    {
        string folder = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(folder);
        byte[] bundle = File.ReadAllBytes(FirmwareBuild.RandomBundle(folder, 5 << 19, random));
        long size = new FileInfo(Path.Combine(folder, "cpe-firmware-9.0.0.rootfs.img")).Length;
        long imageEnd = bundle.Length - Cpe.Image.Bundles.BundleArchive.TrailerLength(size);
        return (bundle, imageEnd - size, imageEnd);
    }

    (List<Variant> Variants, byte[] Good) Variants(Random random)
    {
        var variants = new List<Variant>();
        void Flip(string kind, byte[] good, long at)
        {
            byte bit = (byte)(1 << random.Next(8));
            variants.Add(new Variant(kind, $"byte {at} changed", () =>
            {
                var bytes = (byte[])good.Clone();
                bytes[at] ^= bit;
                return bytes;
            }));
        }
        var (good, imageOffset, imageEnd) = Signed("base", random);
        // The head, evenly: three member headers, the manifest, the signature and the padding after each.
        foreach (long p in Enumerable.Range(0, 370).Select(k => k * imageOffset / 370).Distinct()) Flip("head", good, p);
        // The image: each change in a bundle of its own, so that the box holds none of its chunks yet and must read the
        // changed one (a chunk it already holds, verified, it never downloads again: the damage would go unread).
        for (int i = 0; i < 80; i++)
        {
            var (other, offset, end) = Signed($"image-{i}", random);
            Flip("image", other, offset + random.NextInt64(end - offset));
        }
        for (int i = 0; i < 20; i++) Flip("end", good, imageEnd + random.NextInt64(good.Length - imageEnd));
        foreach (long length in new long[] { 0, 1, 511, 512, 1024, imageOffset - 1, imageOffset, imageOffset + 1, imageOffset + (1 << 20), imageEnd - 1, imageEnd, good.Length - 512, good.Length - 1 }
            .Concat(Enumerable.Range(0, 17).Select(_ => random.NextInt64(good.Length))))
            variants.Add(new Variant("truncated", $"cut to {length} bytes", () => good[..(int)length]));
        foreach (int extra in new[] { 1, 2, 511, 512, 1024, 4096, 1 << 20 })
            variants.Add(new Variant("appended", $"{extra} bytes appended", () => [.. good, .. new byte[extra]]));
        variants.Add(new Variant("appended", "1 byte 'x' appended", () => [.. good, (byte)'x']));
        return (variants, good);
    }

    [Fact]
    public async Task Five_hundred_damaged_bundles_are_each_refused_by_the_box_and_the_slot_never_becomes_bootable()
    {
        int seed = Environment.GetEnvironmentVariable("CPE_SWEEP_SEED") is { } s ? int.Parse(s) : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var (variants, good) = Variants(random);
        Assert.True(variants.Count >= 500, $"{variants.Count} variants");

        using var server = new RangeFileServer(_dir.Path, name =>
            name == "good.cpeu" ? good : int.TryParse(Path.GetFileNameWithoutExtension(name), out int i) && i < variants.Count ? variants[i].Make() : null);
        string url = $"http://10.0.2.2:{server.Port}";
        await using var box = await ImageMachine.StartAsync(ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path), _dir.Path, wan: "user,id=wan");
        var outcomes = new List<(Variant Variant, string Answer)>();
        try
        {
            await box.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < variants.Count; i++)
            {
                string answer = await box.RunAsync($"request system software add {url}/{i}.cpeu", typingDelay: 1);
                outcomes.Add((variants[i], answer.Trim()));
            }
            output.WriteLine($"{variants.Count} bundles offered in {clock.Elapsed.TotalSeconds:0} s");

            // The undamaged copy passes every check of the bundle; random bytes then fail as a slot.
            string control = await box.RunAsync($"request system software add {url}/good.cpeu");
            output.WriteLine($"undamaged: {control}");
            Assert.Contains("installing cpe-firmware 9.0.0 into slot b", control);
            Assert.DoesNotContain("refused", control);
            Assert.Contains("Install failed", control);

            string software = await box.RunAsync("show system software");
            output.WriteLine(software);
            Assert.DoesNotMatch(@"(?m)^b\s+(trying|good)\s", software);   // no entry: nothing boots slot b
        }
        finally
        {
            foreach (var group in outcomes.GroupBy(o => (o.Variant.Kind, Reason(o.Answer))).OrderBy(g => g.Key.Kind))
                output.WriteLine($"{group.Key.Kind,-10} {group.Count(),4} × {group.Key.Item2}");
        }
        var wrong = outcomes.Where(o => !RefusedAsExpected(o.Variant.Kind, o.Answer)).Select(o => $"{o.Variant.Kind}, {o.Variant.What}: {o.Answer}").ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {outcomes.Count} not refused as expected:\n{string.Join("\n", wrong.Take(20))}");
        output.WriteLine(string.Join("\n", server.AccessLog.TakeLast(5)));
    }

    static bool RefusedAsExpected(string kind, string answer) => !answer.Contains("Installed", StringComparison.Ordinal) && kind switch
    {
        // The head is whole: the install starts and a chunk's hash stops it.
        "image" => Regex.IsMatch(answer, "Install failed: refused: .*chunk"),
        // The padding and end blocks are read after the image, before any entry is written.
        "end" => answer.Contains("Install failed: refused: ", StringComparison.Ordinal),
        // Refused from the head alone: the slot untouched.
        _ => answer.Contains("is refused: ", StringComparison.Ordinal) && !answer.Contains("installing cpe-firmware", StringComparison.Ordinal),
    };

    /// <summary>An answer's reason without its numbers, to count refusals by kind.</summary>
    static string Reason(string answer)
    {
        string line = answer.Split('\n').LastOrDefault(l => l.Contains("refused", StringComparison.Ordinal) || l.Contains("failed", StringComparison.OrdinalIgnoreCase)) ?? answer;
        int at = line.IndexOf("refused: ", StringComparison.Ordinal);
        return Numbers().Replace(at >= 0 ? line[(at + 9)..] : line, "N");
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Numbers();

    public void Dispose() => _dir.Dispose();
}
