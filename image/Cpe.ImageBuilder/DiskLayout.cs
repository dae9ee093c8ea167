namespace Cpe.ImageBuilder;

/// <summary>One GPT partition of the image: where it is, what it is, and its name (the box finds partitions by name).</summary>
sealed record Partition(int Number, string Name, string TypeGuid, long StartMiB, long SizeMiB)
{
    public long Offset => StartMiB << 20;
    public long Size => SizeMiB << 20;
}

/// <summary>
/// The disk (docs/reference/firmware-image.md, "Disk layout"): 1 MiB for the GPT, the EFI system partition, root slots
/// A and B, then the data partition; 1 MiB at the end for the backup GPT. Every box has the same layout; an update
/// rewrites one slot and two files on the ESP, never the table.
/// </summary>
static class DiskLayout
{
    public const string EspType = "C12A7328-F81F-11D2-BA4B-00A0C93EC3B8";
    public const string RootX86_64Type = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";
    public const string LinuxDataType = "0FC63DAF-8483-4772-8E79-3D69E4C47DE4";

    public static readonly Partition Esp = new(1, "cpe-esp", EspType, 1, 32);
    public static readonly Partition SlotA = new(2, "cpe-root-a", RootX86_64Type, 33, 48);
    public static readonly Partition SlotB = new(3, "cpe-root-b", RootX86_64Type, 81, 48);
    public static readonly Partition Data = new(4, "cpe-data", LinuxDataType, 129, 96);
    public static readonly Partition[] All = [Esp, SlotA, SlotB, Data];

    public static long DiskSize => (Data.StartMiB + Data.SizeMiB + 1) << 20;
}
