using Cpe.Vnf.Runtime;

namespace Cpe.TestKit;

/// <summary>What a cped running VNFs may leave after a test, removed: instance processes and cgroups, overlay mounts, namespaces.</summary>
public static class VnfHostCleanup
{
    /// <summary>After cped stopped: every instance cgroup under <paramref name="cgroupParent"/>, then the mounts under the state directory and the namespaces with the prefix.</summary>
    public static async Task RemoveAsync(string cgroupParent, string stateDirectory, string netnsPrefix)
    {
        // Every instance cgroup under the parent, in every hierarchy the launcher uses; then the parent.
        var parent = new Cgroup("/sys/fs/cgroup", cgroupParent);
        foreach (string instance in parent.Directories.Where(Directory.Exists).SelectMany(Directory.GetDirectories).Select(Path.GetFileName).Distinct().ToList()!)
        {
            var cgroup = new Cgroup("/sys/fs/cgroup", $"{cgroupParent}/{instance}");
            // cped may be removing it at the same moment: a cgroup that vanished while read has nothing left to kill.
            try { if (cgroup.Exists) await cgroup.KillAllAsync(TimeSpan.FromSeconds(10)); }
            catch (IOException) { }
            await Task.Delay(100);
            try { cgroup.Remove(); } catch (IOException) { }
        }
        try { parent.Remove(); } catch (IOException) { }
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(stateDirectory, StringComparison.Ordinal)).Reverse())
            Command.Run("umount", ["-l", line], check: false);
        foreach (var netns in Directory.Exists("/run/netns") ? Directory.GetFiles("/run/netns", netnsPrefix + "*") : [])
            Command.Run("ip", ["netns", "del", Path.GetFileName(netns)], check: false);
    }
}
