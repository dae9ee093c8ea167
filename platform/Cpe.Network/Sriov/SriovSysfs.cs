namespace Cpe.Network.Sriov;

/// <summary>
/// SR-IOV through sysfs: which netdevs are physical functions, how many VFs they can and do have, and
/// the VFs' netdev names. The root ("/sys" on the box) is a constructor argument, so tests and the
/// simulated board can point it at a folder of their own.
/// </summary>
public sealed class SriovSysfs(string root = "/sys")
{
    string Device(string pf) => Path.Combine(root, "class", "net", pf, "device");

    /// <summary>Netdevs whose device has sriov_totalvfs above 0.</summary>
    public IReadOnlyList<string> PhysicalFunctions()
    {
        string net = Path.Combine(root, "class", "net");
        if (!Directory.Exists(net)) return [];
        return Directory.GetFileSystemEntries(net).Select(Path.GetFileName).OfType<string>()
            .Where(n => TryReadInt(Path.Combine(Device(n), "sriov_totalvfs")) > 0).Order(StringComparer.Ordinal).ToList();
    }

    public int TotalVfs(string pf) => ReadInt(pf, "sriov_totalvfs");

    public int NumVfs(string pf) => ReadInt(pf, "sriov_numvfs");

    /// <summary>
    /// Sets the number of VFs. The kernel refuses to change a non-zero count to another non-zero count,
    /// so such a change goes through 0 (every VF is destroyed and recreated: callers re-apply VF settings).
    /// Returns true when anything was written.
    /// </summary>
    public bool SetNumVfs(string pf, int count)
    {
        int total = TotalVfs(pf);
        if (count < 0 || count > total)
            throw new SriovException($"{pf} supports 0 to {total} virtual functions; {count} was asked for");
        int current = NumVfs(pf);
        if (current == count) return false;
        if (current != 0 && count != 0) Write(pf, "sriov_numvfs", 0);
        Write(pf, "sriov_numvfs", count);
        return true;
    }

    /// <summary>The netdev of VF <paramref name="vf"/> (device/virtfnN/net/NAME), or null while the VF has none (bound to no driver, or assigned away).</summary>
    public string? VfNetdev(string pf, int vf)
    {
        string net = Path.Combine(Device(pf), $"virtfn{vf}", "net");
        return Directory.Exists(net) ? Directory.GetFileSystemEntries(net).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).FirstOrDefault() : null;
    }

    /// <summary>The VF's PCI address (the target of the virtfnN link), for passing a VF to a VNF by device.</summary>
    public string? VfPciAddress(string pf, int vf)
    {
        var link = new FileInfo(Path.Combine(Device(pf), $"virtfn{vf}"));
        return link.LinkTarget is string target ? Path.GetFileName(target) : null;
    }

    int ReadInt(string pf, string file)
    {
        string path = Path.Combine(Device(pf), file);
        return TryReadInt(path) ?? throw new SriovException($"{pf} is not an SR-IOV physical function ({path} is missing or unreadable)");
    }

    static int? TryReadInt(string path)
    {
        try { return int.TryParse(File.ReadAllText(path).Trim(), out int n) ? n : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    void Write(string pf, string file, int value)
    {
        string path = Path.Combine(Device(pf), file);
        try { File.WriteAllText(path, value.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SriovException($"{pf}: writing {value} to {file} failed: {e.Message}", e);
        }
    }
}
