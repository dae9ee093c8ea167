using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Cpe.Interop;

namespace Cpe.Vnf.Runtime;

/// <summary>Where a launch keeps its state and log; all optional, as for runc run.</summary>
public sealed record RunOptions(string CgroupRoot, string? StateDirectory, string? LogFile, long LogLimit);

/// <summary>
/// The first stage of a launch (docs/reference/vnf-runtime.md), the VNF's monitor for its whole life: makes a new PID
/// namespace for its child, starts the second stage (<see cref="ContainerInit"/>) as that namespace's PID 1, checks the
/// bundle and creates the cgroup while that process starts, then lets it go on; keeps the VNF's output in a bounded log, records its PID and, when it ends, its exit, then
/// kills whatever is left in the cgroup and removes it. It outlives the daemon that started it, so a cped restart
/// neither stops a VNF nor loses its exit status.
/// </summary>
public static class ContainerRun
{
    public static int Run(string self, string bundle, string id, RunOptions options)
    {
        bundle = Path.GetFullPath(bundle);
        var psi = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in new[] { "init", "--cgroup-root", options.CgroupRoot, bundle }) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = psi.RedirectStandardError = options.LogFile is not null;
        // The child is PID 1 of a new PID namespace: the second stage. Stop requests to the monitor go to the VNF;
        // the monitor ends when the VNF does. It starts first, so that its process start (a second runtime start)
        // overlaps the checks and the cgroup below; it waits for a go on its standard input before it joins the cgroup,
        // and a closed one ends it: nothing of the VNF runs before the checks pass.
        using var started = new NamespacedChild(psi, () => Namespaces.Unshare(Namespaces.CLONE_NEWPID), PosixSignal.SIGTERM, PosixSignal.SIGINT);
        var child = started.Process;
        Cgroup cgroup;
        try { cgroup = Prepare(bundle, id, options); }
        catch
        {
            child.StandardInput.Close();
            child.WaitForExit();
            throw;
        }
        child.StandardInput.BaseStream.WriteByte(ContainerInit.Go);
        child.StandardInput.Close();
        using var log = options.LogFile is { } file ? new BoundedLog(file, options.LogLimit) : null;
        // The pid file says "running": written once the VNF is in its cgroup (its init's first step), so whoever reads
        // it (a supervisor adopting the VNF, say) finds the PID there too.
        var joined = Stopwatch.StartNew();
        while (!child.HasExited && !cgroup.Processes().Contains(child.Id) && joined.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(1);
        if (options.StateDirectory is { } dir && !child.HasExited) WriteAtomically(Path.Combine(dir, "pid"), child.Id.ToString(CultureInfo.InvariantCulture));
        // Supervised (state and log kept): from here on the monitor says everything through those files, and lets go of
        // the supervisor's pipes, which a killed cped closes.
        if (options.StateDirectory is not null && log is not null) Files.DetachStandardStreams();

        var pumps = log is null ? Task.CompletedTask : Task.WhenAll(log.PumpAsync(child.StandardOutput.BaseStream), log.PumpAsync(child.StandardError.BaseStream));
        child.WaitForExit();
        pumps.Wait(TimeSpan.FromSeconds(5));
        int code = child.ExitCode;

        // The namespace's PID 1 is gone, so the kernel killed the rest; the cgroup confirms it, then goes.
        cgroup.KillAllAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        cgroup.Remove();
        if (options.StateDirectory is { } d)
        {
            string how = code > 128 ? $"signal {code - 128}" : $"exit {code}";
            WriteAtomically(Path.Combine(d, "exit"), $"{how}\n{DateTimeOffset.UtcNow:O}\n");
        }
        return code;
    }

    /// <summary>Checks what the launcher must honour, before anything of the VNF runs, and creates its cgroup.</summary>
    static Cgroup Prepare(string bundle, string id, RunOptions options)
    {
        var spec = BundleWriter.Read(bundle);
        if (spec.Process.Terminal) throw new RuntimeSpecException("a VNF has no terminal (process.terminal must be false)");
        if (spec.Linux.Namespaces.All(n => n.Type != "pid" || n.Path is not null)) throw new RuntimeSpecException("a VNF needs its own PID namespace");
        if (spec.Mounts.FirstOrDefault(m => m.Type is "cgroup" or "cgroup2") is { } cgroupfs)
            throw new RuntimeSpecException($"the mount of {cgroupfs.Type} on {cgroupfs.Destination} is not supported: a VNF does not see the cgroup file system");
        if (spec.Linux.Seccomp is { } seccomp) SeccompProfile.Compile(seccomp);   // a bad filter fails here, before anything of the VNF runs
        var cgroup = new Cgroup(options.CgroupRoot, spec.Linux.CgroupsPath);
        if (cgroup.Exists && cgroup.Processes().Count > 0) throw new RuntimeSpecException($"{id} is already running (cgroup {spec.Linux.CgroupsPath} has processes)");
        cgroup.Create(spec.Linux.Resources);
        if (options.StateDirectory is { } state) Directory.CreateDirectory(state);
        return cgroup;
    }

    /// <summary>
    /// Runs <paramref name="args"/> inside the running VNF whose PID 1 is <paramref name="pid"/> (health checks): in its
    /// cgroup and namespaces, as its user with its capabilities and filter. Returns the command's exit status.
    /// </summary>
    public static int Exec(string self, string bundle, string cgroupRoot, int pid, IReadOnlyList<string> args, TimeSpan timeout)
    {
        bundle = Path.GetFullPath(bundle);
        var spec = BundleWriter.Read(bundle);
        var cgroup = new Cgroup(cgroupRoot, spec.Linux.CgroupsPath);
        if (!cgroup.Processes().Contains(pid)) throw new RuntimeSpecException($"process {pid} is not in the VNF's cgroup {spec.Linux.CgroupsPath}");
        cgroup.Join();
        var psi = new ProcessStartInfo(self) { UseShellExecute = false };
        foreach (var a in new[] { "exec-init", bundle, pid.ToString(CultureInfo.InvariantCulture), "--" }.Concat(args)) psi.ArgumentList.Add(a);
        // As for run, but the child is born in the VNF's own PID namespace.
        using var started = new NamespacedChild(psi, () => Namespaces.Enter($"/proc/{pid}/ns/pid", Namespaces.CLONE_NEWPID), PosixSignal.SIGTERM);
        var child = started.Process;
        if (child.WaitForExit(timeout)) return child.ExitCode;
        child.Kill();
        throw new TimeoutException($"'{string.Join(' ', args)}' did not finish in {timeout.TotalSeconds:0.#} s");
    }

    static void WriteAtomically(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
