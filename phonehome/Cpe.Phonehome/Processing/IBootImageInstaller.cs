using Cpe.Sztp;

namespace Cpe.Phonehome.Processing;

/// <summary>
/// The firmware slots as the agent sees them: what runs now, and installing a verified image into the inactive slot.
/// The image issue implements it on the A/B disk; <see cref="FolderInstaller"/> stands in on the simulated board.
/// </summary>
public interface IBootImageInstaller
{
    /// <summary>The running image's os-name and os-version, as RFC 8572's boot-image compares them.</summary>
    (string Name, string Version) Running();

    /// <summary>Installs the downloaded, hash-checked file; the next boot runs it.</summary>
    Task InstallAsync(string file, BootImage image, CancellationToken ct);
}

/// <summary>One installation as <see cref="FolderInstaller"/> records it.</summary>
public sealed record InstalledImage(DateTimeOffset Time, string Name, string Version, string Sha256, long Size);
