namespace Cpe.Interop;

/// <summary>A process's state as /proc/PID/stat gives it.</summary>
public static class ProcessState
{
    /// <summary>
    /// Whether <paramref name="pid"/> is still running: neither gone nor a zombie (Z) or dead (X). A cgroup stops
    /// listing a killed process as soon as it starts to exit, before it has; this tells when it has.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            char state = stat[stat.LastIndexOf(')') + 2];
            return state is not ('Z' or 'X');
        }
        catch (IOException) { return false; }
    }
}
