using System.Security.Cryptography;
using System.Text;
using Cpe.Image.Bundles;
using Cpe.Sztp;

namespace Cpe.UnitTests.Image;

[Trait("Kind", "Unit")]
public sealed class FirmwareBundleTests
{
    static readonly BundleLab Lab = new();
    static readonly byte[] Image = BundleLab.RandomImage(2 * BundleManifest.ChunkSize + 12345);
    static readonly byte[] Good = Lab.Bundle(Image);
    static readonly InstallPolicy Box = new("cpe-lab-q35", FirmwareVersion.Parse("1.0.0"));

    [Fact]
    public async Task A_bundle_verifies_and_hands_over_its_image_chunk_by_chunk()
    {
        var received = new MemoryStream();
        var chunks = new List<int>();
        var head = await Lab.VerifyAsync(Good, Box, (i, data, _) => { chunks.Add(i); received.Write(data.Span); return Task.CompletedTask; });

        Assert.Equal("2.0.0", head.Manifest.Version);
        Assert.Equal("2.0.0", head.Manifest.MinimumVersion);   // the default floor is the version itself
        Assert.Equal([0, 1, 2], chunks);
        Assert.Equal(Image, received.ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Image)), head.Manifest.Image.Sha256);
        Assert.Equal(Good.Length, head.BundleLength);
        Assert.Equal(Image, Good.AsSpan((int)head.ImageOffset, Image.Length).ToArray());
        Assert.Equal("CN=Test firmware signer", head.Signer.Subject);
    }

    [Fact]
    public void The_same_image_and_information_give_the_same_bytes_but_for_the_signature()
    {
        var again = Lab.Bundle(Image);
        var (m1, s1) = (Member(Good, 0), Member(Good, 1));
        var (m2, s2) = (Member(again, 0), Member(again, 1));
        Assert.Equal(m1, m2);
        // ECDSA signatures are randomized; everything else (headers, times, padding, image) is fixed.
        Assert.Equal(Good.AsSpan((int)BundleArchive.ImageOffset(m1.Length, s1.Length) - 512).ToArray(), again.AsSpan((int)BundleArchive.ImageOffset(m2.Length, s2.Length) - 512).ToArray());
    }

    [Fact]
    public async Task The_box_refuses_another_board_and_a_version_below_its_floor_with_the_reason()
    {
        var e = await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(Good, Box with { BoardModel = "nfx-250" }));
        Assert.Equal("it is built for cpe-lab-q35, ref-c3000; this box is a nfx-250", e.Message);
        e = await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(Good, Box with { Floor = FirmwareVersion.Parse("2.0.1") }));
        Assert.Equal("version 2.0.0 is below this box's anti-rollback floor 2.0.1", e.Message);
        await Lab.VerifyAsync(Good, Box with { Floor = FirmwareVersion.Parse("2.0.0") });   // the floor itself is allowed
    }

    [Fact]
    public async Task Only_a_firmware_signer_under_the_vendor_anchor_is_accepted()
    {
        var vnfSigner = VendorPki.Issue(Lab.Ca, "CN=VNF package signer", DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromDays(1));
        var e = await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(Lab.Bundle(Image, signer: vnfSigner)));
        Assert.Contains("CN=VNF package signer, which is not a firmware signer", e.Message);

        var stranger = new BundleLab();
        e = await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(stranger.Bundle(Image)));
        Assert.Contains("not under a trusted anchor", e.Message);
    }

    [Theory]
    [InlineData("\"format\": 1,", "\"format\": 2,", "format 2 is not one this box reads")]
    [InlineData("\"minimum-version\": \"2.0.0\"", "\"minimum-version\": \"2.0.1\"", "minimum-version 2.0.1 is above the version 2.0.0")]
    [InlineData("\"version\": \"2.0.0\"", "\"version\": \"2.0\", \"version\": \"2.0.0\"", "Duplicate")]
    [InlineData("\"format\": 1,", "\"format\": 1, \"rollback\": true,", "rollback")]
    [InlineData("\"chunk-size\": 1048576", "\"chunk-size\": 4096", "chunk-size 4096 is not 1048576")]
    [InlineData("\"version\": \"2.0.0\"", "\"version\": \"02.0.0\"", "is not a firmware version")]
    public async Task A_signed_manifest_that_does_not_hold_together_is_refused(string from, string to, string reason)
    {
        var json = Encoding.UTF8.GetString(Member(Good, 0));
        Assert.Contains(from, json);
        var bundle = Lab.BundleWithManifest(Encoding.UTF8.GetBytes(json.Replace(from, to)), Image);
        var e = await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(bundle));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task A_manifest_whose_chunk_list_does_not_fit_the_size_is_refused()
    {
        var json = Encoding.UTF8.GetString(Member(Good, 0)).Replace($"\"size\": {Image.Length}", $"\"size\": {Image.Length + BundleManifest.ChunkSize}");
        var e = await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(Lab.BundleWithManifest(Encoding.UTF8.GetBytes(json), Image)));
        Assert.Contains("lists 3 chunk hashes, its size needs 4", e.Message);
    }

    [Fact]
    public async Task Every_single_byte_change_truncation_and_appended_byte_is_refused()
    {
        // Positions spread over every region: the three member headers and their padding, the manifest, the
        // signature, the image's chunks and the end blocks; every byte of the head, a sample of the image.
        var m = Member(Good, 0).Length;
        var s = Member(Good, 1).Length;
        long imageOffset = BundleArchive.ImageOffset(m, s);
        var positions = new SortedSet<int>();
        var random = new Random(8572);
        for (int p = 0; p < imageOffset; p += Math.Max(1, (int)imageOffset / 600)) positions.Add(p);
        int imageEnd = (int)imageOffset + Image.Length;
        for (int i = 0; i < 300; i++) positions.Add((int)imageOffset + random.Next(Image.Length));
        for (int i = 0; i < 20; i++) positions.Add(imageEnd + random.Next(Good.Length - imageEnd));
        var outcomes = new Dictionary<string, int>();
        foreach (int p in positions)
        {
            var mutated = (byte[])Good.Clone();
            mutated[p] ^= (byte)(1 << random.Next(8));
            await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(mutated));
            long signature = imageOffset - 512 - s - BundleArchive.Padding(s);
            string region = p < 512 ? "manifest header" : p < 512 + m ? "manifest" : p < signature - 512 ? "manifest padding" : p < signature ? "signature header"
                : p < signature + s ? "signature" : p < imageOffset - 512 ? "signature padding" : p < imageOffset ? "image header"
                : p < imageOffset + Image.Length ? "image" : "end blocks";
            outcomes[region] = outcomes.GetValueOrDefault(region) + 1;
        }
        Assert.True(positions.Count >= 800, $"{positions.Count} positions");
        Assert.True(outcomes.Count == 9 && outcomes.GetValueOrDefault("manifest") > 100 && outcomes.GetValueOrDefault("signature") > 100 && outcomes.GetValueOrDefault("image") > 250,
            string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));

        foreach (int length in new[] { 0, 1, 511, 512, 1000, (int)imageOffset - 1, (int)imageOffset, (int)imageOffset + 1, Good.Length - 1025, Good.Length - 1024, Good.Length - 1 })
            await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(Good[..length]));
        foreach (var extra in new byte[][] { [0], [1], new byte[512], new byte[10240] })
            await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync([.. Good, .. extra]));
    }

    [Fact]
    public async Task A_changed_image_chunk_is_named_and_nothing_after_it_is_handed_over()
    {
        var mutated = (byte[])Good.Clone();
        var head = await Lab.VerifyAsync(Good);
        mutated[head.ImageOffset + BundleManifest.ChunkSize + 7] ^= 1;
        var handed = new List<int>();
        var e = await Assert.ThrowsAsync<BundleRefusedException>(() => Lab.VerifyAsync(mutated, chunk: (i, _, _) => { handed.Add(i); return Task.CompletedTask; }));
        Assert.Equal("image chunk 1 of 3 does not match its signed hash", e.Message);
        Assert.Equal([0], handed);
    }

    [Theory]
    [InlineData("1.0.0", "2.0.0", -1)]
    [InlineData("2.0.0", "2.0", 0)]
    [InlineData("2.10.0", "2.9.9", 1)]
    [InlineData("3.0.0-rc1", "3.0.0", -1)]
    [InlineData("3.0.0-rc2", "3.0.0-rc1", 1)]
    public void Versions_compare_by_number_then_label(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(FirmwareVersion.Parse(a).CompareTo(FirmwareVersion.Parse(b))));

    [Theory]
    [InlineData("")]
    [InlineData("v1.0")]
    [InlineData("1..0")]
    [InlineData("01.0")]
    [InlineData("1.0.0.0.0")]
    [InlineData("1.0-")]
    [InlineData("1.0 ")]
    public void Malformed_versions_do_not_parse(string text) => Assert.False(FirmwareVersion.TryParse(text, out _));

    /// <summary>The data of the archive's first (0) or second (1) member.</summary>
    static byte[] Member(byte[] bundle, int index)
    {
        int offset = 0;
        for (int i = 0; ; i++)
        {
            long size = Convert.ToInt64(Encoding.ASCII.GetString(bundle, offset + 124, 11), 8);
            if (i == index) return bundle.AsSpan(offset + 512, (int)size).ToArray();
            offset += 512 + (int)size + BundleArchive.Padding(size);
        }
    }
}
