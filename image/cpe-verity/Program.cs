using Cpe.Image.Verity;
using Cpe.Interop;

// cpe-verity open DEVICE ROOT-HASH:SALT:DATA-BLOCKS NAME
// Maps DEVICE (a slot partition) read-only through dm-verity as NAME and prints the mapped device (/dev/dm-N).
// Every block read through it is checked against the root hash; a changed block reads as an I/O error.
if (args is not ["open", var device, var value, var name])
{
    Console.Error.WriteLine("usage: cpe-verity open DEVICE ROOT-HASH:SALT:DATA-BLOCKS NAME");
    return 2;
}
try
{
    var root = VerityRoot.ParseCommandLine(value);
    int minor = DeviceMapper.CreateReadOnly(name, "verity", root.Sectors, root.TargetParameters(device));
    Console.WriteLine($"/dev/dm-{minor}");
    return 0;
}
catch (Exception e) when (e is FormatException or LinuxException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"cpe-verity: {e.Message}");
    return 1;
}
