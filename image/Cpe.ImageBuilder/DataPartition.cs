namespace Cpe.ImageBuilder;

/// <summary>
/// The data partition: an empty ext4 made by mkfs.ext4 on a file (no mount); the box makes its folders at start (rcS).
/// Its UUID and hash seed derive from the version and mke2fs's clock is the epoch, so the bytes are the same every
/// time. (Not populated with -d: e2fsprogs 1.47.0 copies each file's ctime, which nothing can set.)
/// </summary>
static class DataPartition
{
    public static void Build(Recipe r, string output)
    {
        File.Delete(output);
        string uuid = Reproducible.DerivedGuid(r.Version, "data").ToString();
        var env = new Dictionary<string, string> { ["E2FSPROGS_FAKE_TIME"] = r.Epoch.ToString(), ["MKE2FS_DEVICE_SECTSIZE"] = "512" };
        Tool.Run("mkfs.ext4", ["-q", "-F", "-L", "cpe-data", "-U", uuid, "-E", $"hash_seed={uuid},root_owner=0:0,lazy_itable_init=0", "-T", "default",
            output, $"{DiskLayout.Data.SizeMiB}M"], env);
    }
}
