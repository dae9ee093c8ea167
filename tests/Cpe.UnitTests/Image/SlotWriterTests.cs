using Cpe.Image.Install;

namespace Cpe.UnitTests.Image;

/// <summary>The slot writer: whole pages around the page cache where the file system allows it, the rest through it.</summary>
[Trait("Kind", "Unit")]
public class SlotWriterTests
{
    /// <summary>Writes an image of three whole chunks and a short one; <paramref name="skew"/> moves the buffer off its page.</summary>
    static async Task<(bool Direct, byte[] Written, byte[] Expected)> WriteInAsync(string folder, int skew = 0)
    {
        string disk = Path.Combine(folder, $"slot-{Guid.NewGuid():N}.img");
        var expected = new byte[3 * 1024 * 1024 + 1000];   // three whole chunks and a short last one, as an image ends
        new Random(7).NextBytes(expected);
        await File.WriteAllBytesAsync(disk, new byte[4 * 1024 * 1024]);
        try
        {
            bool direct;
            await using (var writer = new SlotWriter(disk))
            {
                var buffer = ChunkBuffers.Aligned(1024 * 1024 + ChunkBuffers.Alignment).Slice(skew, 1024 * 1024);
                for (int chunk = 0; chunk * 1024 * 1024 < expected.Length; chunk++)
                {
                    int length = Math.Min(1024 * 1024, expected.Length - chunk * 1024 * 1024);
                    expected.AsMemory(chunk * 1024 * 1024, length).CopyTo(buffer);
                    await writer.WriteAsync((long)chunk * 1024 * 1024, buffer[..length], CancellationToken.None);
                }
                writer.Sync();
                direct = writer.Direct;
            }
            return (direct, (await File.ReadAllBytesAsync(disk))[..expected.Length], expected);
        }
        finally { File.Delete(disk); }
    }

    [Fact]
    public async Task On_a_disk_file_system_whole_chunks_go_around_the_page_cache_and_every_byte_lands()
    {
        var (direct, written, expected) = await WriteInAsync(Path.GetTempPath());
        Assert.True(direct, $"{Path.GetTempPath()} took no direct write");
        Assert.Equal(expected, written);
    }

    [Fact]
    public async Task Where_a_direct_write_is_refused_the_page_cache_carries_that_chunk_and_every_one_after()
    {
        // A buffer off its page: the kernel refuses the direct write (EINVAL), as a disk that takes none would.
        var (direct, written, expected) = await WriteInAsync(Path.GetTempPath(), skew: 1);
        Assert.False(direct);
        Assert.Equal(expected, written);
    }
}
