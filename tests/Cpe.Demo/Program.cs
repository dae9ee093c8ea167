// The demo, in three parts: zero-touch provisioning of a factory-fresh box on the simulated board with a technician's
// session after it, a service chain of signed sample VNFs on a second box, and the firmware image under QEMU
// updating itself from v1 to v2. Each part is the real programs, shown as a person would watch them.
if (args.Length > 0) Environment.SetEnvironmentVariable("CPE_BIN_DIR", args[0]);

static void Title(string text) => Console.WriteLine($"\n--- {text} ---");

await ZeroTouchDemo.RunAsync(Title);
await ChainDemo.RunAsync(Title);
await ImageDemo.RunAsync(Title);
Console.WriteLine("\nfirmware image demo complete");
// The fleet web UI's pages, as its browser test saw them.
string shots = Path.Combine(Cpe.TestKit.Binaries.RepositoryRoot, "out", "screenshots", "fleet-ui");
Console.WriteLine(Directory.Exists(shots) && Directory.GetFiles(shots, "*.png").Length > 0
    ? $"\nscreenshots of the fleet web UI ({Directory.GetFiles(shots, "*.png").Length} pages, from ./build.sh test): {shots}"
    : $"\nscreenshots of the fleet web UI: ./build.sh test saves them in {shots}");
