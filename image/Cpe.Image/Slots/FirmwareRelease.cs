namespace Cpe.Image.Slots;

/// <summary>
/// What firmware this is, from the slot's /etc/os-release (IMAGE_ID and IMAGE_VERSION, written by the image build):
/// show version, the agent's os-version and the installer compare it. Off the image (a developer machine, the
/// simulated board) there is none, and callers fall back to the build's own version.
/// </summary>
public sealed record FirmwareRelease(string Name, string Version)
{
    public const string DefaultPath = "/etc/os-release";

    public static FirmwareRelease? Read(string path = DefaultPath)
    {
        if (!File.Exists(path)) return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            int eq = line.IndexOf('=');
            if (eq > 0) fields[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"');
        }
        return fields.TryGetValue("IMAGE_ID", out var id) && id == "cpe-firmware" && fields.TryGetValue("IMAGE_VERSION", out var version)
            ? new FirmwareRelease(id, version) : null;
    }

    /// <summary>The running firmware's release, read once.</summary>
    public static FirmwareRelease? Running { get; } = Read();
}
