using System.Security.Cryptography;
using System.Text.Json;
using Cpe.Sztp;

namespace Cpe.Phonehome.Processing;

/// <summary>
/// The simulated board's firmware slots, in a folder: <c>running</c> holds "name version" of the running image;
/// an install copies the image to <c>inactive-slot.img</c>, writes <c>pending</c> and appends to <c>installs.jsonl</c>.
/// The "reboot" is the agent's restart: a pending image then becomes the running one, as a bootloader would boot it.
/// </summary>
public sealed class FolderInstaller : IBootImageInstaller
{
    readonly string _folder;
    readonly TimeProvider _clock;

    public FolderInstaller(string folder, string defaultName, string defaultVersion, TimeProvider clock)
    {
        _folder = folder;
        _clock = clock;
        Directory.CreateDirectory(folder);
        string running = Path.Combine(folder, "running"), pending = Path.Combine(folder, "pending");
        if (File.Exists(pending)) File.Move(pending, running, overwrite: true);
        else if (!File.Exists(running)) File.WriteAllText(running, $"{defaultName} {defaultVersion}\n");
    }

    public (string Name, string Version) Running()
    {
        var parts = File.ReadAllText(Path.Combine(_folder, "running")).Trim().Split(' ', 2);
        return parts.Length == 2 ? (parts[0], parts[1]) : throw new InvalidDataException($"{_folder}/running must hold 'name version'");
    }

    public async Task InstallAsync(string file, BootImage image, CancellationToken ct)
    {
        string slot = Path.Combine(_folder, "inactive-slot.img");
        File.Copy(file, slot, overwrite: true);
        string sha256;
        await using (var read = File.OpenRead(slot)) sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, ct));
        var record = new InstalledImage(_clock.GetUtcNow(), image.OsName ?? "", image.OsVersion ?? "", sha256, new FileInfo(slot).Length);
        await File.AppendAllTextAsync(Path.Combine(_folder, "installs.jsonl"),
            JsonSerializer.Serialize(record, AgentJsonContext.Default.InstalledImage).ReplaceLineEndings("") + "\n", ct);
        await File.WriteAllTextAsync(Path.Combine(_folder, "pending"), $"{image.OsName} {image.OsVersion}\n", ct);
    }
}
