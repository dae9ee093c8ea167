using System.Globalization;

namespace Cpe.Platform.Provisioning;

/// <summary>
/// A cgroup for one script run, with memory and process-count limits: one directory on a cgroup v2 box, one per
/// controller (memory, pids) on a cgroup v1 host like the developer machines. Killing it kills every process the
/// script started, however it forked; disposing removes the directories.
/// </summary>
public sealed class ScriptCgroup : IDisposable
{
    readonly List<string> _directories = [];

    public ScriptCgroup(string cgroupRoot, string name, long memoryBytes, int maxProcesses)
    {
        string memory = memoryBytes.ToString(CultureInfo.InvariantCulture), pids = maxProcesses.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (File.Exists(Path.Combine(cgroupRoot, "cgroup.controllers")))
            {
                // v2: the controllers must be enabled for children of the root first.
                File.WriteAllText(Path.Combine(cgroupRoot, "cgroup.subtree_control"), "+memory +pids");
                string dir = Create(Path.Combine(cgroupRoot, name));
                File.WriteAllText(Path.Combine(dir, "memory.max"), memory);
                File.WriteAllText(Path.Combine(dir, "memory.swap.max"), "0");
                File.WriteAllText(Path.Combine(dir, "pids.max"), pids);
            }
            else
            {
                string memoryDir = Create(Path.Combine(cgroupRoot, "memory", name));
                File.WriteAllText(Path.Combine(memoryDir, "memory.limit_in_bytes"), memory);
                File.WriteAllText(Path.Combine(Create(Path.Combine(cgroupRoot, "pids", name)), "pids.max"), pids);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    string Create(string directory)
    {
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return directory;
    }

    /// <summary>The cgroup.procs files a process writes its pid into to join (every hierarchy).</summary>
    public IReadOnlyList<string> ProcsFiles => _directories.Select(d => Path.Combine(d, "cgroup.procs")).ToList();

    /// <summary>The processes in the cgroup now.</summary>
    public IReadOnlyList<int> Processes() =>
        File.ReadAllLines(ProcsFiles[0]).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();

    /// <summary>
    /// Kills every process in the cgroup, repeating until none is left (a fork between reads is caught next round),
    /// then waits until each one killed has finished dying: the cgroup stops listing a process as soon as it starts
    /// to exit, before it has.
    /// </summary>
    public async Task KillAllAsync()
    {
        // Every process ever listed, not only those our own SIGKILL reached: when the script's PID namespace dies, the
        // kernel kills the rest itself, and they too must have finished exiting before this returns.
        var seen = new HashSet<int>();
        for (int round = 0; round < 200; round++)
        {
            var pids = Processes();
            seen.UnionWith(pids);
            if (pids.Count == 0)
            {
                // Up to 10 s: on a loaded machine (a lab VM on both cores) a killed process can take seconds to finish exiting.
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (seen.Any(Cpe.Interop.ProcessState.IsRunning) && DateTime.UtcNow < deadline) await Task.Delay(5);
                return;
            }
            foreach (int pid in pids) Cpe.Interop.Signals.Kill(pid);
            await Task.Delay(5);
        }
        throw new IOException($"processes still running in {_directories[0]} after repeated SIGKILL");
    }


    public void Dispose()
    {
        // rmdir fails while a dying process is still accounted; retry briefly.
        foreach (var dir in _directories)
            for (int attempt = 0; attempt < 100 && Directory.Exists(dir); attempt++)
            {
                try { Directory.Delete(dir); }
                catch (IOException) { Thread.Sleep(10); }
            }
        _directories.Clear();
    }
}
