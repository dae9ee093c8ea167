using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>A bundle whose root holds only Debian's static busybox, running <c>sh -c SCRIPT</c> as uid 1000: the tests' VNF.</summary>
static class BusyboxVnf
{
    public const string CgroupParent = "/cpe-test";

    public static (RuntimeSpec Spec, VnfDescriptor Descriptor) Write(string bundle, string instance, string script, string? netns, IReadOnlyDictionary<string, string>? labels = null)
    {
        Directory.CreateDirectory(Path.Combine(bundle, "rootfs/bin"));
        string busybox = Path.Combine(bundle, "rootfs/bin/busybox");
        if (!File.Exists(busybox)) File.Copy("/bin/busybox", busybox);   // a running VNF's binary cannot be rewritten
        var all = PackageLab.Labels("probe");
        all["org.cpe.vnf.cpus"] = "0.5";
        all["org.cpe.vnf.pids"] = "16";
        foreach (var (k, v) in labels ?? new Dictionary<string, string>()) all[k] = v;
        var image = new OciImageConfig("amd64", "linux", new OciProcessConfig(User: "1000:1000", Entrypoint: ["/bin/busybox", "sh", "-c", script]), new OciRootFs("layers", []));
        var descriptor = VnfDescriptor.FromLabels(all);
        var spec = BundleWriter.Spec(image, descriptor, new InstancePlacement(instance, netns, "0", CgroupV2: File.Exists("/sys/fs/cgroup/cgroup.controllers"), CgroupParent));
        BundleWriter.Write(bundle, spec);
        return (spec, descriptor);
    }

    /// <summary>What a failed test may leave: the instance's cgroup, its processes killed first.</summary>
    public static async Task RemoveCgroupAsync(string instance)
    {
        var cgroup = new Cgroup("/sys/fs/cgroup", $"{CgroupParent}/{instance}");
        if (!cgroup.Exists) return;
        await cgroup.KillAllAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);   // the last killed process leaves the cgroup a moment after it stops being listed
        try { cgroup.Remove(); } catch (IOException) { }
    }
}
