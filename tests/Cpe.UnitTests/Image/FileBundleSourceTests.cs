using Cpe.Image.Install;

namespace Cpe.UnitTests.Image;

/// <summary>Reading a bundle on the box: whole chunks around the page cache, the rest (and any refusal) through it.</summary>
[Trait("Kind", "Unit")]
public class FileBundleSourceTests
{
    [Theory]
    [InlineData(0)]   // page-aligned buffer: the direct read
    [InlineData(8)]   // off its page: direct where the disk takes such a buffer, else (EINVAL) through the page cache
    public async Task Every_chunk_reads_as_the_file_holds_it(int skew)
    {
        string file = Path.Combine(Path.GetTempPath(), $"bundle-{Guid.NewGuid():N}.cpeu");
        var bytes = new byte[2 * 1024 * 1024 + 512 + 300];
        new Random(skew).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        try
        {
            using var source = new FileBundleSource(file);
            var buffer = ChunkBuffers.Aligned(1024 * 1024 + ChunkBuffers.Alignment).Slice(skew, 1024 * 1024);
            // A bundle's image starts on a tar block (512), its chunks are 1 MiB, the last one short.
            foreach (var (offset, length) in new[] { (512L, 1024 * 1024), (512L + 1024 * 1024, 1024 * 1024), (512L + 2 * 1024 * 1024, 300) })
            {
                int got = await source.ReadAtAsync(offset, buffer[..length], CancellationToken.None);
                Assert.Equal(length, got);
                Assert.True(bytes.AsSpan((int)offset, length).SequenceEqual(buffer.Span[..length]), $"the chunk at {offset} differs");
            }
            Assert.Equal(2 * 1024 * 1024 + 300, source.BytesRead);
        }
        finally { File.Delete(file); }
    }
}
