using Cpe.Interop;

namespace Cpe.Vnf.Runtime;

/// <summary>
/// The second stage of a launch (docs/reference/vnf-runtime.md), run as PID 1 of the VNF's new PID namespace: joins
/// the cgroup, enters the network namespace, makes its own mount, UTS and IPC namespaces, builds the root file system
/// and pivots into it, then becomes the VNF's user with only its capabilities, no_new_privs and the seccomp filter,
/// and execs the VNF, which so stays PID 1. Everything runs on the main thread: namespaces, credentials and the
/// filter belong to the thread that execs.
/// </summary>
public static class ContainerInit
{
    /// <summary>What the first stage writes on this stage's standard input once the bundle passed its checks.</summary>
    public const byte Go = (byte)'g';

    public static void Run(string bundle, string cgroupRoot)
    {
        var spec = BundleWriter.Read(bundle);
        // The first stage checks the bundle and makes the cgroup meanwhile; anything but its go ends this stage quietly.
        using (var input = Console.OpenStandardInput())
            if (input.ReadByte() != Go) Environment.Exit(125);
        // First, so that everything this process becomes and starts is counted and limited.
        new Cgroup(cgroupRoot, spec.Linux.CgroupsPath).Join();

        int unshare = 0;
        foreach (var ns in spec.Linux.Namespaces)
        {
            int flag = ns.Type switch
            {
                "pid" => 0,   // made by the first stage: this process is its PID 1
                "network" => Namespaces.CLONE_NEWNET,
                "mount" => Namespaces.CLONE_NEWNS,
                "uts" => Namespaces.CLONE_NEWUTS,
                "ipc" => Namespaces.CLONE_NEWIPC,
                "cgroup" => Namespaces.CLONE_NEWCGROUP,
                _ => throw new RuntimeSpecException($"namespace type {ns.Type} is not supported"),
            };
            if (ns.Path is { } path) Namespaces.Enter(path, flag);
            else unshare |= flag;
        }
        if ((unshare & Namespaces.CLONE_NEWNS) == 0) throw new RuntimeSpecException("a VNF needs its own mount namespace");
        Namespaces.Unshare(unshare);

        string rootfs = Path.GetFullPath(spec.Root.Path, bundle);
        RootFileSystem.Prepare(rootfs, spec);
        if (spec.Hostname is { } host) HostName.Set(host);
        BecomeTheVnf(spec, spec.Process.Args, spec.Process.Cwd);
    }

    /// <summary>
    /// The second stage of <c>cpe-runtime exec</c>: already in the VNF's cgroup and PID namespace (the first stage saw
    /// to both), enters its IPC, UTS, network and mount namespaces (mount last: the others' paths are resolved in
    /// ours), which also puts it in the VNF's root, then runs <paramref name="args"/> as the VNF runs its own program.
    /// </summary>
    public static void Exec(string bundle, int pid, IReadOnlyList<string> args)
    {
        var spec = BundleWriter.Read(bundle);
        // Joining a mount namespace needs a root and cwd of our own: the runtime's threads share them (CLONE_FS).
        Namespaces.Unshare(Namespaces.CLONE_FS);
        foreach (var (ns, flag) in new[] { ("ipc", Namespaces.CLONE_NEWIPC), ("uts", Namespaces.CLONE_NEWUTS), ("net", Namespaces.CLONE_NEWNET), ("mnt", Namespaces.CLONE_NEWNS) })
            Namespaces.Enter($"/proc/{pid}/ns/{ns}", flag);
        BecomeTheVnf(spec, args, "/");
    }

    static void BecomeTheVnf(RuntimeSpec spec, IReadOnlyList<string> args, string cwd)
    {
        var p = spec.Process;
        var caps = p.Capabilities;
        ulong bounding = Capabilities.Mask(caps.Bounding);
        int last = Credentials.LastCapability;
        for (int cap = 0; cap <= last; cap++)
            if ((bounding >> cap & 1) == 0) Credentials.DropFromBoundingSet(cap);

        Credentials.SetGroups((p.User.AdditionalGids ?? []).ToArray());
        Credentials.KeepCapabilities();
        Credentials.SetIds(p.User.Uid, p.User.Gid);
        Credentials.SetCapabilities(Capabilities.Mask(caps.Effective), Capabilities.Mask(caps.Permitted), Capabilities.Mask(caps.Inheritable));
        // The kernel keeps only ambient capabilities that are also permitted and inheritable; runc skips the others
        // (its default spec asks for some that are not inheritable), and so do we, so that both run the same bundle.
        foreach (var name in caps.Ambient.Intersect(caps.Permitted).Intersect(caps.Inheritable)) Credentials.RaiseAmbient(Capabilities.Number(name));
        if (p.NoNewPrivileges) Credentials.SetNoNewPrivileges();

        string program = Resolve(args[0], p.Env);
        Directory.SetCurrentDirectory(cwd);
        if (spec.Linux.Seccomp is { } seccomp) Seccomp.Install(SeccompProfile.Compile(seccomp));   // last: the filter also binds us
        Cpe.Interop.Exec.Replace(program, args, p.Env);
    }

    /// <summary>A program name without a slash is looked up in the PATH the VNF gets, inside its root.</summary>
    static string Resolve(string program, IReadOnlyList<string> env)
    {
        if (program.Contains('/')) return program;
        string path = env.FirstOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? "/usr/bin:/bin";
        return path.Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists)
            ?? throw new RuntimeSpecException($"{program} is not in the VNF's PATH ({path})");
    }
}
