namespace Cpe.Platform.Board;

/// <summary>
/// What zeroizing erases, after cped has stopped (store closed): everything in the state directory (configuration
/// revisions, events, alarms, leases, VF state), the console drop, and the folders named with --erase-on-zeroize (the
/// phone-home agent's progress and fleet state). The folders themselves stay, with their owners and modes; the
/// factory storage is never among them, so the box keeps its serial number, IDevID and trust anchors and onboards
/// again from factory default.
/// </summary>
public static class Zeroizer
{
    public static void Erase(DaemonOptions options)
    {
        var folders = new[] { options.StateDirectory, options.ConsoleDrop }.Concat(options.EraseOnZeroize).Distinct().ToList();
        if (options.FactoryDirectory is string factory && folders.Any(f => IsWithin(factory, f)))
            throw new InvalidOperationException($"refusing to zeroize: {factory} (factory storage) is inside a folder to erase");
        foreach (var folder in folders.Where(Directory.Exists))
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo d && d.LinkTarget is null) d.Delete(recursive: true);
                else entry.Delete();
            }
    }

    static bool IsWithin(string path, string folder)
    {
        string p = Path.GetFullPath(path).TrimEnd('/') + "/", f = Path.GetFullPath(folder).TrimEnd('/') + "/";
        return p.StartsWith(f, StringComparison.Ordinal);
    }
}
